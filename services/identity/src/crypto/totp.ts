import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { generate, generateSecret, generateURI, verify } from "otplib";

/** The issuer shown by authenticator apps. */
export const TOTP_ISSUER = "shopmesh";
/** RFC 6238 defaults every authenticator app supports: SHA-1, 6 digits, 30 s. */
const PERIOD_SECONDS = 30;
const CODE = /^[0-9]{6}$/;

/** A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation) in base32. */
export function generateTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI for a QR code: issuer "shopmesh", label the account's email. */
export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/** The code of `secret` at `now` (for tests and tools; users read theirs from an app). */
export async function generateTotpCode(secret: string, now: Date = new Date()): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

export interface VerifyTotpOptions {
  now?: Date;
  /** The last time step accepted for this account: codes of that step or earlier are refused (replay). */
  afterTimeStep?: number | null;
}

export type TotpCheck = { valid: true; timeStep: number } | { valid: false };

/**
 * Checks a 6-digit code (spaces ignored) against `secret`, accepting the previous, current and
 * next 30-second step, so a phone clock a little off still works. Returns the matched time step:
 * store it (mfa.lastTotpStep) and pass it as `afterTimeStep` next time, so each code works once.
 * Anything malformed is simply invalid.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  options: VerifyTotpOptions = {},
): Promise<TotpCheck> {
  const token = code.replace(/\s/g, "");
  if (!CODE.test(token)) return { valid: false };
  const epoch = Math.floor((options.now ?? new Date()).getTime() / 1000);
  try {
    const result = await verify({
      secret,
      token,
      epoch,
      epochTolerance: PERIOD_SECONDS,
      ...(options.afterTimeStep != null ? { afterTimeStep: options.afterTimeStep } : {}),
    });
    return result.valid && "timeStep" in result
      ? { valid: true, timeStep: result.timeStep }
      : { valid: false };
  } catch {
    return { valid: false };
  }
}

/** How many recovery codes an account gets. */
export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: codes are read off paper and typed by hand.
const RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz";
const RECOVERY_CODE = new RegExp(`^[${RECOVERY_ALPHABET}]{8}$`);

export interface RecoveryCodes {
  /** Show once to the user: "xxxx-xxxx". */
  codes: string[];
  /** Store these (hashRecoveryCode of each), in the same order. */
  hashes: string[];
}

/** New recovery codes, each 8 characters (~40 bits) of a readable alphabet, with their hashes. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): RecoveryCodes {
  const codes: string[] = [];
  while (codes.length < count) {
    let body = "";
    for (let i = 0; i < 8; i++) body += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    const code = `${body.slice(0, 4)}-${body.slice(4)}`;
    if (!codes.includes(code)) codes.push(code);
  }
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/**
 * The stored form of a recovery code: hex SHA-256 of the code lower-cased without separators, so
 * "ABCD-EFGH", "abcd efgh" and "abcdefgh" are the same code. A fast hash suffices: a code only
 * stands in for the second factor, never for the password.
 */
export function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(canonicalRecoveryCode(code), "utf8").digest("hex");
}

/**
 * The stored hash `code` matches among `hashes` (an account's unused codes), or undefined. Every
 * hash is compared, in constant time, so timing does not reveal which codes exist.
 */
export function findRecoveryCode(code: string, hashes: readonly string[]): string | undefined {
  const canonical = canonicalRecoveryCode(code);
  if (!RECOVERY_CODE.test(canonical)) return undefined;
  const presented = Buffer.from(hashRecoveryCode(canonical), "hex");
  let match: string | undefined;
  for (const hash of hashes) {
    const stored = Buffer.from(hash, "hex");
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) match = hash;
  }
  return match;
}

function canonicalRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}
