import { type EntityManager, type FilterQuery, isUniqueViolation } from "@shopmesh/kit/db";
import type { SecretBox } from "../crypto/secret-box.ts";
import { emailTaken } from "../domain/errors.ts";
import { isRoleName, type RoleName } from "../domain/roles.ts";
import type { MfaStatus, User } from "../domain/user.ts";
import { UserRow } from "./entities.ts";
import { USERS_EMAIL_CONSTRAINT } from "./migrations.ts";

export interface LockOption {
  /** SELECT ... FOR UPDATE: hold the row until the transaction ends (only inside one). */
  lock?: boolean;
}

/** Filters of ListUsers; deleted accounts are never listed. */
export interface UserListFilter {
  /** Case-insensitive substring of the email or the display name. */
  query?: string;
  role?: RoleName;
}

/** Where a page starts: after this (createTime, id). */
export interface UserListCursor {
  createTime: Date;
  id: string;
}

export interface UserRepository {
  byId(id: string, options?: LockOption): Promise<User | undefined>;
  /** By normalised email; deleted accounts carry a tombstone email, so they are never found here. */
  byEmail(email: string, options?: LockOption): Promise<User | undefined>;
  /** Throws the domain's emailTaken() when the email is registered already (also under a race). */
  insert(user: User): Promise<void>;
  update(user: User): Promise<void>;
  /** Live accounts in (createTime, id) order, at most `limit`. */
  list(filter: UserListFilter, after: UserListCursor | undefined, limit: number): Promise<User[]>;
}

export function createUserRepository(em: EntityManager, box: SecretBox): UserRepository {
  // The hot read path (every signed-in call looks its user up): plain SQL with the columns
  // aliased to the row's property names, measured 3-4x faster than findOne's hydration.
  const findOne = async (column: "id" | "email", value: string, options: LockOption = {}) => {
    const rows = await em.execute<UserRow[]>(
      `select ${USER_COLUMNS} from users where ${column} = ?${options.lock ? " for update" : ""}`,
      [value],
    );
    const row = rows[0];
    return row ? toUser(withDates(row), box) : undefined;
  };
  return {
    byId: (id, options) => findOne("id", id, options),
    byEmail: (email, options) => findOne("email", email, options),
    async insert(user) {
      try {
        await em.insert(UserRow, toRow(user, box));
      } catch (error) {
        if (isUniqueViolation(error, USERS_EMAIL_CONSTRAINT)) throw emailTaken();
        throw error;
      }
    },
    async update(user) {
      const { id, createTime: _, ...columns } = toRow(user, box);
      await em.nativeUpdate(UserRow, { id }, columns);
    },
    async list(filter, after, limit) {
      const where: FilterQuery<UserRow>[] = [{ deleteTime: null }];
      const query = filter.query?.trim();
      if (query) {
        const pattern = `%${escapeLike(query)}%`;
        where.push({ $or: [{ email: { $ilike: pattern } }, { displayName: { $ilike: pattern } }] });
      }
      if (filter.role) where.push({ roles: { $contains: [filter.role] } });
      if (after) {
        where.push({
          $or: [
            { createTime: { $gt: after.createTime } },
            { createTime: after.createTime, id: { $gt: after.id } },
          ],
        });
      }
      const rows = await em.find(
        UserRow,
        { $and: where },
        { orderBy: { createTime: "asc", id: "asc" }, limit, disableIdentityMap: true },
      );
      return rows.map((row) => toUser(row, box));
    },
  };
}

const DATE_PROPERTIES = [
  "lockUntil",
  "lockSince",
  "failedLoginsSince",
  "createTime",
  "updateTime",
  "lastLoginTime",
  "deleteTime",
] as const;

/** The ORM's driver leaves timestamps as text on raw queries; hydration would parse them. */
function withDates(row: UserRow): UserRow {
  const record = row as unknown as Record<string, unknown>;
  for (const property of DATE_PROPERTIES) {
    const value = record[property];
    if (typeof value === "string") record[property] = new Date(value);
  }
  return row;
}

/** Every column of users, as the UserRow property it maps to. */
const USER_COLUMNS = Object.entries({
  id: "id",
  email: "email",
  emailVerified: "email_verified",
  passwordHash: "password_hash",
  displayName: "display_name",
  locale: "locale",
  roles: "roles",
  lockReason: "lock_reason",
  lockUntil: "lock_until",
  lockSince: "lock_since",
  failedLogins: "failed_logins",
  failedLoginsSince: "failed_logins_since",
  mfaStatus: "mfa_status",
  totpSecret: "totp_secret",
  recoveryCodeHashes: "recovery_code_hashes",
  lastTotpStep: "last_totp_step",
  createTime: "create_time",
  updateTime: "update_time",
  lastLoginTime: "last_login_time",
  deleteTime: "delete_time",
} satisfies Record<Exclude<keyof UserRow, symbol>, string>)
  .map(([property, column]) => `${column} as "${property}"`)
  .join(", ");

/** `%`, `_` and the escape character itself match literally in the ILIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toUser(row: UserRow, box: SecretBox): User {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerified,
    passwordHash: row.passwordHash,
    displayName: row.displayName,
    locale: row.locale,
    roles: row.roles.filter(isRoleName),
    lock:
      row.lockReason === null
        ? null
        : { reason: row.lockReason, until: row.lockUntil, since: row.lockSince ?? row.updateTime },
    failedLogins: row.failedLogins,
    failedLoginsSince: row.failedLoginsSince,
    mfa: {
      status: row.mfaStatus as MfaStatus,
      totpSecret: row.totpSecret === null ? null : box.open(row.totpSecret, row.id),
      recoveryCodeHashes: [...row.recoveryCodeHashes],
      lastTotpStep: row.lastTotpStep,
    },
    createTime: row.createTime,
    updateTime: row.updateTime,
    lastLoginTime: row.lastLoginTime,
    deleteTime: row.deleteTime,
  };
}

function toRow(user: User, box: SecretBox): UserRow {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    passwordHash: user.passwordHash,
    displayName: user.displayName,
    locale: user.locale,
    roles: [...user.roles],
    lockReason: user.lock?.reason ?? null,
    lockUntil: user.lock?.until ?? null,
    lockSince: user.lock?.since ?? null,
    failedLogins: user.failedLogins,
    failedLoginsSince: user.failedLoginsSince,
    mfaStatus: user.mfa.status,
    totpSecret: user.mfa.totpSecret === null ? null : box.seal(user.mfa.totpSecret, user.id),
    recoveryCodeHashes: [...user.mfa.recoveryCodeHashes],
    lastTotpStep: user.mfa.lastTotpStep,
    createTime: user.createTime,
    updateTime: user.updateTime,
    lastLoginTime: user.lastLoginTime,
    deleteTime: user.deleteTime,
  };
}
