import type { PgPool } from "@shopmesh/kit/db";
import { sqlTransaction } from "@shopmesh/kit/db";
import type { EventMeta, OutboxRows } from "@shopmesh/kit/events";
import type { IntentChange, PaymentIntent } from "../domain/payment-intent.ts";
import { type ChangeWrite, writeChange } from "./changes.ts";
import {
  answerKey,
  claimKey,
  createIdempotencyRepository,
  type IdempotencyRepository,
  type KeyAnswer,
  type KeyClaim,
  type NewKey,
} from "./idempotency.ts";
import { createIntentRepository, type IntentRepository } from "./intents.ts";
import { createLedgerRepository, type LedgerRepository } from "./ledger.ts";
import { createRefundRepository, type RefundRepository } from "./refunds.ts";
import { createSql, type Sql } from "./sql.ts";
import { createWebhookEventRepository, type WebhookEventRepository } from "./webhook-events.ts";

export { createOutboxRows, type OutboxRows } from "@shopmesh/kit/events";
export { PAYMENT_ENTITIES } from "./entities.ts";
export type { KeyAnswer, KeyClaim, NewKey } from "./idempotency.ts";
export { MIGRATIONS, PAYMENT_MIGRATIONS } from "./migrations.ts";
export type { LockOption } from "./sql.ts";

/** The repositories of payment: reads, and the locks a transaction takes before it decides. */
export interface Repositories {
  intents: IntentRepository;
  refunds: RefundRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  webhookEvents: WebhookEventRepository;
}

/**
 * The repositories inside a transaction, and its writes. A transaction decides first (reads,
 * locks, provider calls) and stages what its transitions produced; the staged writes go out at
 * its end, each transition in one statement with its events (and the idempotency key's answer),
 * before COMMIT. A throw anywhere rolls everything back.
 */
export interface Transaction extends Repositories {
  /**
   * Claims an idempotency key for this transaction, or finds its kept answer; with
   * `lockIntentId` a claim also locks that intent, in the same round trip (see claimKey).
   */
  claimKey(key: NewKey, lockIntentId?: string): Promise<KeyClaim>;
  /**
   * Stages what a transition produced: the intent, its refund, its ledger entries and its
   * events, written by one statement. Stages nothing when the transition changed nothing.
   */
  saveChange(before: PaymentIntent | undefined, change: IntentChange, meta: EventMeta): void;
  /** Stages the answer of the key this transaction claimed: written with the last change, or alone. */
  keepAnswer(answer: KeyAnswer): void;
  /**
   * Writes what is staged now, rather than at the end, so its failures can be answered: a new
   * intent the provider knew already throws providerPaymentKnown, and then nothing of that
   * change (nor the key's answer) was written.
   */
  flush(): Promise<void>;
}

export interface PaymentStore {
  /** Repositories for reads outside a transaction (each statement on a pooled session). */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction on one pooled session, writes what it staged and commits: row
   * locks hold until it ends, and a throw rolls back every write and event.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export interface PaymentStoreOptions {
  /** The `pg` pool under the ORM (`db.pool()`). */
  pool: PgPool;
  /** The outbox rows of payment's events (createEventWriter in events.ts). */
  recordEvents: OutboxRows;
}

/**
 * Payment's store: plain SQL with bound parameters on the pool under the ORM, every statement
 * prepared once per session (sql.ts). Two calls carry the checkout, so each takes four round
 * trips: BEGIN, claim the key (locking the intent), write the change with its events and the
 * key's answer, COMMIT.
 */
export function createPaymentStore(options: PaymentStoreOptions): PaymentStore {
  const { pool, recordEvents } = options;
  const repositories = (sql: Sql): Repositories => ({
    intents: createIntentRepository(sql),
    refunds: createRefundRepository(sql),
    ledger: createLedgerRepository(sql),
    idempotency: createIdempotencyRepository(sql),
    webhookEvents: createWebhookEventRepository(sql),
  });
  const reads = repositories(createSql(pool));

  return {
    read: () => reads,
    transaction: (fn) =>
      sqlTransaction(pool, async (sql) => {
        const tx = createTransaction(sql, repositories, recordEvents);
        const result = await fn(tx);
        await tx.flush();
        return result;
      }),
  };
}

function createTransaction(
  sql: Sql,
  repositories: (sql: Sql) => Repositories,
  recordEvents: OutboxRows,
): Transaction {
  const staged: ChangeWrite[] = [];
  let answer: KeyAnswer | undefined;
  return {
    ...repositories(sql),
    claimKey: (key, lockIntentId) => claimKey(sql, key, lockIntentId),
    saveChange(before, change, meta) {
      if (change.intent === before) return;
      staged.push({ before, change, outbox: recordEvents(change.events, meta) });
    },
    keepAnswer(next) {
      answer = next;
    },
    async flush() {
      const writes = staged.splice(0);
      const last = answer;
      answer = undefined;
      if (writes.length === 0) {
        if (last) await answerKey(sql, last);
        return;
      }
      for (const [index, write] of writes.entries()) {
        await writeChange(sql, write, index === writes.length - 1 ? last : undefined);
      }
    },
  };
}
