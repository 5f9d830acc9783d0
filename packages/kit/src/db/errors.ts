import { ConnectionException, OptimisticLockError } from "@mikro-orm/core";

/**
 * The one place that knows PostgreSQL error codes. The RPC layer asks `dbErrorToCode` and never
 * sees a SQLSTATE. Works on raw `pg` errors and on MikroORM's driver exceptions (which copy the
 * `code` and `constraint` of the error they wrap), and looks through `cause` chains.
 */

/** SQLSTATE values we act on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const UNIQUE_VIOLATION = "23505";
const SERIALIZATION_FAILURE = "40001";
const DEADLOCK_DETECTED = "40P01";
const LOCK_NOT_AVAILABLE = "55P03";
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Socket errors of the `pg` driver when the server cannot be reached or went away. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

interface ErrorLike {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** Walks `err` and its causes (bounded, in case of a cycle). */
function* chain(err: unknown): Generator<ErrorLike> {
  let current = err;
  for (let depth = 0; depth < 8 && current !== null && typeof current === "object"; depth++) {
    yield current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
}

function sqlState(err: unknown): string | undefined {
  for (const link of chain(err)) {
    if (typeof link.code === "string" && /^[0-9A-Z]{5}$/.test(link.code)) return link.code;
  }
  return undefined;
}

/**
 * True when `err` is a unique-constraint violation, optionally of the named constraint
 * (e.g. `isUniqueViolation(err, "users_email_key")` to turn it into "email already registered").
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (const link of chain(err)) {
    if (link.code === UNIQUE_VIOLATION) return constraint === undefined || link.constraint === constraint;
  }
  return false;
}

/**
 * True when the transaction lost a race and running it again may succeed: serialization failure
 * (SERIALIZABLE / REPEATABLE READ) or a deadlock that PostgreSQL broke by aborting this side.
 */
export function isRetryableTxError(err: unknown): boolean {
  const state = sqlState(err);
  return state === SERIALIZATION_FAILURE || state === DEADLOCK_DETECTED;
}

/** True when a versioned entity changed under us (MikroORM's `OptimisticLockError`). */
export function isOptimisticLockError(err: unknown): boolean {
  for (const link of chain(err)) {
    if (link instanceof OptimisticLockError) return true;
  }
  return false;
}

/** True when the database could not be reached or is shutting down. */
export function isUnavailableError(err: unknown): boolean {
  for (const link of chain(err)) {
    if (link instanceof ConnectionException) return true;
    if (typeof link.code === "string") {
      if (NETWORK_CODES.has(link.code) || UNAVAILABLE_STATES.has(link.code) || link.code.startsWith("08")) {
        return true;
      }
    }
    if (typeof link.message === "string" && /Connection terminated|connection timeout/i.test(link.message)) {
      return true;
    }
  }
  return false;
}

/** The gRPC code name a database error stands for; the RPC layer turns it into a status. */
export type DbErrorCode = "AlreadyExists" | "Aborted" | "Unavailable";

/**
 * Maps a database error to the gRPC code a caller should see, or `undefined` when the error is
 * a bug (syntax error, missing table...) that should surface as Internal.
 *
 *   catch (err) { const code = dbErrorToCode(err); if (code) throw rpcError(Code[code], "...") ; throw err; }
 */
export function dbErrorToCode(err: unknown): DbErrorCode | undefined {
  if (isUniqueViolation(err)) return "AlreadyExists";
  if (isRetryableTxError(err) || isOptimisticLockError(err) || sqlState(err) === LOCK_NOT_AVAILABLE) {
    return "Aborted";
  }
  if (isUnavailableError(err)) return "Unavailable";
  return undefined;
}
