import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta } from "@shopmesh/kit/events";
import type { IntentChange, PaymentIntent } from "../domain/payment-intent.ts";
import type { RecordEvents } from "../events.ts";
import { createIdempotencyRepository, type IdempotencyRepository } from "./idempotency.ts";
import { createIntentRepository, type IntentRepository } from "./intents.ts";
import { createLedgerRepository, type LedgerRepository } from "./ledger.ts";
import { createRefundRepository, type RefundRepository } from "./refunds.ts";
import { createWebhookEventRepository, type WebhookEventRepository } from "./webhook-events.ts";

export { PAYMENT_ENTITIES } from "./entities.ts";
export { MIGRATIONS, PAYMENT_MIGRATIONS } from "./migrations.ts";
export type { LockOption } from "./sql.ts";

/** The repositories of payment, bound to one EntityManager. */
export interface Repositories {
  intents: IntentRepository;
  refunds: RefundRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  webhookEvents: WebhookEventRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
  /**
   * Writes what a transition of an existing intent produced: the intent, its refund, its ledger
   * entries and its events. Writes nothing when the transition changed nothing.
   */
  saveChange(before: PaymentIntent | undefined, change: IntentChange, meta: EventMeta): Promise<void>;
}

export interface PaymentStore {
  /** Repositories for reads outside a transaction (a fresh EntityManager per call). */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction: row and advisory locks hold until it ends, and a throw rolls
   * back every write and recorded event.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export interface PaymentStoreOptions {
  db: Db;
  recordEvents: RecordEvents;
}

export function createPaymentStore(options: PaymentStoreOptions): PaymentStore {
  const { db, recordEvents } = options;
  const repositories = (em: EntityManager): Repositories => ({
    intents: createIntentRepository(em),
    refunds: createRefundRepository(em),
    ledger: createLedgerRepository(em),
    idempotency: createIdempotencyRepository(em, db.schema),
    webhookEvents: createWebhookEventRepository(em),
  });
  return {
    read: () => repositories(db.em()),
    transaction: (fn) =>
      db.transaction((em) => {
        const repos = repositories(em);
        const record = (events: readonly DomainEvent[], meta: EventMeta) => recordEvents(em, events, meta);
        return fn({
          ...repos,
          record,
          async saveChange(before, change, meta) {
            if (change.intent === before) return;
            if (before) await repos.intents.update(change.intent, before);
            else await repos.intents.insert(change.intent);
            if (change.refund) await repos.refunds.insert(change.refund);
            await repos.ledger.append(change.ledger);
            record(change.events, meta);
          },
        });
      }),
  };
}
