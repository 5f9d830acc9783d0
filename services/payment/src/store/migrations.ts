import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** The primary key of webhook_events; a conflict on it means the event was handled before. */
export const WEBHOOK_EVENTS_PKEY = "webhook_events_pkey";

/**
 * The payment schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 *
 * The money rules of the aggregate are repeated as CHECK constraints (captured ≤ authorised,
 * refunded ≤ captured, the sign of each ledger kind), so no bug can store money that does not
 * add up, and the ledger refuses UPDATE and DELETE outright. No column holds card data: a brand
 * and the last four digits only, and no payment token (idempotency keeps a hash of the request).
 */
export const PAYMENT_MIGRATIONS: readonly Migration[] = [
  {
    name: "payment.0001_initial",
    up: [
      `create table payment_intents (
         id uuid primary key,
         order_id uuid not null,
         customer_id text not null default '',
         provider text not null,
         provider_reference text not null,
         status text not null
           constraint payment_intents_status_check check (status in (
             'requires_confirmation', 'authorized', 'captured', 'partially_refunded', 'refunded',
             'voided', 'failed')),
         currency text not null constraint payment_intents_currency_check check (currency ~ '^[A-Z]{3}$'),
         amount bigint not null constraint payment_intents_amount_check check (amount > 0),
         captured_amount bigint not null default 0,
         refunded_amount bigint not null default 0,
         card_brand text not null default '',
         card_last4 text not null default ''
           constraint payment_intents_last4_check check (card_last4 ~ '^([0-9]{4})?$'),
         failure_code text not null default '',
         failure_message text not null default '',
         create_time timestamptz not null,
         update_time timestamptz not null,
         constraint payment_intents_captured_check check (captured_amount between 0 and amount),
         constraint payment_intents_refunded_check check (refunded_amount between 0 and captured_amount)
       )`,
      // ListOrderPayments: an order's intents, oldest first.
      "create index payment_intents_order_idx on payment_intents (order_id, create_time, id)",
      // Webhooks find their intent by the provider's reference.
      `create unique index payment_intents_reference_key on payment_intents (provider, provider_reference)
         where provider_reference <> ''`,
      // The sweeper's queue: intents waiting for a confirmation, oldest first.
      `create index payment_intents_confirmation_idx on payment_intents (create_time)
         where status = 'requires_confirmation'`,

      `create table refunds (
         id uuid primary key,
         payment_intent_id uuid not null references payment_intents (id),
         amount bigint not null constraint refunds_amount_check check (amount > 0),
         currency text not null,
         reason text not null default '',
         provider_reference text not null default '',
         create_time timestamptz not null
       )`,
      "create index refunds_intent_idx on refunds (payment_intent_id, create_time, id)",

      `create table ledger_entries (
         id uuid primary key,
         payment_intent_id uuid not null references payment_intents (id),
         kind text not null,
         amount bigint not null,
         currency text not null,
         create_time timestamptz not null,
         constraint ledger_entries_amount_check check (
           (kind in ('authorization', 'void') and amount = 0)
           or (kind = 'capture' and amount > 0)
           or (kind = 'refund' and amount < 0))
       )`,
      "create index ledger_entries_intent_idx on ledger_entries (payment_intent_id, create_time, id)",
      // Append-only: an entry, once written, is history.
      `create function ledger_entries_append_only() returns trigger language plpgsql as $$
       begin
         raise exception 'ledger_entries is append-only: % refused', tg_op;
       end
       $$`,
      `create trigger ledger_entries_append_only before update or delete or truncate on ledger_entries
         for each statement execute function ledger_entries_append_only()`,

      // One row per (method, idempotency key): the request's fingerprint and its final answer.
      `create table idempotency_keys (
         method text not null,
         key text not null,
         fingerprint text not null,
         response bytea,
         error jsonb,
         payment_intent_id uuid,
         create_time timestamptz not null,
         primary key (method, key),
         constraint idempotency_keys_outcome_check check ((response is null) <> (error is null))
       )`,

      // Provider webhook events seen, so a replay is acknowledged without a second effect.
      `create table webhook_events (
         provider text not null,
         event_id text not null,
         type text not null,
         payment_intent_id uuid,
         receive_time timestamptz not null,
         constraint ${WEBHOOK_EVENTS_PKEY} primary key (provider, event_id)
       )`,
    ],
  },
  {
    name: "payment.0002_idempotency_keys_create_time",
    up: [
      // The pruner's queue: keys past the retention (IDEMPOTENCY_RETENTION_HOURS), oldest first.
      "create index idempotency_keys_create_time_idx on idempotency_keys (create_time)",
    ],
  },
  {
    name: "payment.0003_idempotency_keys_claimed_first",
    up: [
      // A call claims its key by inserting the row before its effect and writes the answer into
      // it before COMMIT (store/idempotency.ts): inside that transaction the row has no answer
      // yet. It may still never commit without one: the CHECK now says "not both", and a trigger
      // deferred to COMMIT says "not neither", so together they keep "exactly one" for every
      // committed row, as the CHECK of 0001 did.
      "alter table idempotency_keys drop constraint idempotency_keys_outcome_check",
      `alter table idempotency_keys add constraint idempotency_keys_outcome_check
         check (response is null or error is null)`,
      // The function reads the table by name: it keeps the migration's search_path (this schema).
      `create function idempotency_keys_answered() returns trigger language plpgsql
       set search_path from current as $$
       begin
         if exists (select 1 from idempotency_keys
                    where method = new.method and key = new.key and response is null and error is null) then
           raise exception 'idempotency key (%, %) has no answer at commit', new.method, new.key
             using errcode = 'check_violation', constraint = 'idempotency_keys_answered';
         end if;
         return null;
       end
       $$`,
      `create constraint trigger idempotency_keys_answered after insert or update on idempotency_keys
         deferrable initially deferred for each row
         when (new.response is null and new.error is null)
         execute function idempotency_keys_answered()`,
    ],
  },
];

/** What createDb applies for payment: the kit's outbox and inbox, then the payment schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...PAYMENT_MIGRATIONS];
