import { DomainError } from "@shopmesh/kit/errors";
import type { IdempotencyRecord, IdempotentOutcome, StoredError } from "../domain/idempotency.ts";
import type { PaymentIntent } from "../domain/payment-intent.ts";
import { INTENT_COLUMNS, type RawIntent, toIntent } from "./intents.ts";
import { type Sql, toBytes, toDate } from "./sql.ts";

/**
 * The kept answers of idempotency keys, per (method, key).
 *
 * A call claims its key by inserting the key's row first, without an answer; the answer is
 * written into that row before COMMIT (see changes.ts), and a deferred trigger refuses a commit
 * that would leave it without one (migration payment.0003). Until then the uncommitted row holds
 * the primary key's index entry, so a concurrent call with the same key waits in its own insert
 * for the first one's transaction: after a commit it finds the answer, after a rollback (a
 * processor failure) it claims the key itself.
 */
export interface IdempotencyRepository {
  find(method: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Deletes up to `limit` keys created before `before`, oldest first; resolves with how many.
   * Rows another transaction holds are skipped (FOR UPDATE SKIP LOCKED), so replicas pruning at
   * the same time delete different rows and never wait for each other.
   */
  deleteCreatedBefore(before: Date, limit: number): Promise<number>;
}

/** A key a call claims: its request's fingerprint, and when it came. */
export interface NewKey {
  method: string;
  key: string;
  fingerprint: string;
  createTime: Date;
}

/** What claiming a key found. */
export type KeyClaim =
  /** The key is this transaction's: `intent` is the one asked to lock, when it exists. */
  | { kind: "claimed"; intent: PaymentIntent | undefined }
  /** An earlier call with the key committed its answer: answer that. */
  | { kind: "kept"; record: IdempotencyRecord };

/** The final answer of a key this transaction claimed. */
export interface KeyAnswer {
  method: string;
  key: string;
  outcome: IdempotentOutcome;
  /** The intent the call created or changed, when there is one (for support). */
  paymentIntentId: string | undefined;
}

type RawRecord = {
  method: string;
  fingerprint: string;
  response: unknown;
  error: StoredError | null;
  paymentIntentId: string | null;
  createTime: unknown;
};

const FIND = `select method, fingerprint, response, error, payment_intent_id as "paymentIntentId",
    create_time as "createTime"
  from idempotency_keys where method = $1 and key = $2`;

/**
 * Claims the key and, once it is claimed, locks the intent `$5` (when given) in one statement.
 * A key committed before this statement began is read by the same statement; one committed
 * while its insert waited is not visible to it (the statement's snapshot is older), so that case
 * reads again.
 */
const CLAIM = `with claimed as (
    insert into idempotency_keys (method, key, fingerprint, create_time)
    values ($1, $2, $3, $4)
    on conflict (method, key) do nothing
    returning 1
  ), intent as materialized (
    select ${INTENT_COLUMNS} from payment_intents
    where id = $5::uuid and exists (select from claimed)
    for update
  )
  select exists (select from claimed) as "claimed",
    k.method as "keptMethod", k.fingerprint as "keptFingerprint", k.response as "keptResponse",
    k.error as "keptError", k.payment_intent_id as "keptIntentId", k.create_time as "keptCreateTime",
    i.*
  from (select) as one
  left join idempotency_keys k on k.method = $1 and k.key = $2 and not exists (select from claimed)
  left join intent i on true`;

const ANSWER = `update idempotency_keys set response = $3::bytea, error = $4::jsonb, payment_intent_id = $5::uuid
  where method = $1 and key = $2`;

const DELETE_OLD = `delete from idempotency_keys
  where (method, key) in (
    select method, key from idempotency_keys where create_time < $1
    order by create_time limit $2 for update skip locked)`;

/** A key answered before the claim and the re-read both missed it: only a prune in between does that. */
const MAX_CLAIMS = 3;

export function createIdempotencyRepository(sql: Sql): IdempotencyRepository {
  return {
    async find(method, key) {
      const row = (await sql.query<RawRecord>(FIND, [method, key])).rows[0];
      return row ? toRecord(key, row) : undefined;
    },
    async deleteCreatedBefore(before, limit) {
      return (await sql.query(DELETE_OLD, [before, limit])).rowCount;
    },
  };
}

type RawClaim = Partial<RawIntent> & {
  claimed: boolean;
  keptMethod: string | null;
  keptFingerprint: string | null;
  keptResponse: unknown;
  keptError: StoredError | null;
  keptIntentId: string | null;
  keptCreateTime: unknown;
};

/**
 * Claims (method, key) inside the transaction of `sql`, or finds its kept answer, waiting for a
 * concurrent call with the key to end first. With `lockIntentId`, a claim also locks that intent
 * (FOR UPDATE) in the same round trip and answers it: the row lock after the key's, as every
 * call takes them.
 */
export async function claimKey(sql: Sql, key: NewKey, lockIntentId?: string): Promise<KeyClaim> {
  for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
    const { rows } = await sql.query<RawClaim>(CLAIM, [
      key.method,
      key.key,
      key.fingerprint,
      key.createTime,
      lockIntentId ?? null,
    ]);
    const row = rows[0]!;
    if (row.claimed) {
      return { kind: "claimed", intent: row.id ? toIntent(row as RawIntent) : undefined };
    }
    if (row.keptMethod !== null) {
      const record = toRecord(key.key, {
        method: row.keptMethod,
        fingerprint: row.keptFingerprint!,
        response: row.keptResponse,
        error: row.keptError,
        paymentIntentId: row.keptIntentId,
        createTime: row.keptCreateTime,
      });
      return { kind: "kept", record };
    }
    const found = (await sql.query<RawRecord>(FIND, [key.method, key.key])).rows[0];
    if (found) return { kind: "kept", record: toRecord(key.key, found) };
  }
  throw new DomainError(
    "conflict",
    `idempotency key of ${key.method} changed while it was claimed; try again`,
  );
}

/** The parameters of an answer, in ANSWER's order after (method, key). */
export function answerValues(answer: KeyAnswer): unknown[] {
  const { outcome } = answer;
  return [
    outcome.kind === "response" ? outcome.response : null,
    outcome.kind === "error" ? JSON.stringify(outcome.error) : null,
    answer.paymentIntentId ?? null,
  ];
}

/** Writes the answer of a key this transaction claimed, alone (no change came with it). */
export async function answerKey(sql: Sql, answer: KeyAnswer): Promise<void> {
  const { rowCount } = await sql.query(ANSWER, [answer.method, answer.key, ...answerValues(answer)]);
  if (rowCount !== 1)
    throw new Error(`idempotency key of ${answer.method} was not claimed in this transaction`);
}

function toRecord(key: string, row: RawRecord): IdempotencyRecord {
  return {
    method: row.method,
    key,
    fingerprint: row.fingerprint,
    outcome:
      row.error !== null
        ? { kind: "error", error: row.error }
        : { kind: "response", response: toBytes(row.response) },
    paymentIntentId: row.paymentIntentId ?? undefined,
    createTime: toDate(row.createTime),
  };
}
