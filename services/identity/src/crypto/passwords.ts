import { argon2id, needsRehash as argon2NeedsRehash, hash, verify } from "argon2";

/** argon2id cost parameters. */
export interface PasswordHashParams {
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over the memory. */
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): memory-hard enough to make GPU guessing
 * expensive while a 2-core box still serves logins.
 */
export const PASSWORD_HASH_PARAMS: Readonly<PasswordHashParams> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/**
 * The form a password is hashed in. NFKC makes "ﬁ" and "fi", or a composed and a decomposed
 * "é", the same password whatever keyboard or OS typed it (NIST SP 800-63B 5.1.1.2).
 */
function normalize(password: string): string {
  return password.normalize("NFKC");
}

/** An argon2id hash of `password` (PHC string with its own random salt). */
export async function hashPassword(
  password: string,
  params: Readonly<PasswordHashParams> = PASSWORD_HASH_PARAMS,
): Promise<string> {
  return hash(normalize(password), { type: argon2id, ...params });
}

/** True when `password` matches `passwordHash`; false (never a throw) for a malformed or empty hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (!passwordHash.startsWith("$argon2")) return false;
  try {
    return await verify(passwordHash, normalize(password));
  } catch {
    return false;
  }
}

/** True when `passwordHash` was made with other parameters: after a good login, hash the password again. */
export function needsRehash(
  passwordHash: string,
  params: Readonly<PasswordHashParams> = PASSWORD_HASH_PARAMS,
): boolean {
  try {
    return argon2NeedsRehash(passwordHash, { ...params });
  } catch {
    return true;
  }
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * Spends the time of a real verification and returns false. Call it when the email is unknown
 * (or the account deleted), so a login's duration does not reveal whether an email is registered.
 * The dummy hash is made once per parameter set, with the same parameters as real hashes.
 */
export async function verifyDummyPassword(
  password: string,
  params: Readonly<PasswordHashParams> = PASSWORD_HASH_PARAMS,
): Promise<false> {
  const key = `${params.memoryCost}:${params.timeCost}:${params.parallelism}`;
  let dummy = dummyHashes.get(key);
  if (dummy === undefined) {
    dummy = hashPassword("shopmesh dummy password: never a user's", params);
    dummyHashes.set(key, dummy);
  }
  await verifyPassword(await dummy, password);
  return false;
}
