import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** The unique constraint of a customer's PlaceOrder idempotency keys. */
export const ORDERS_IDEMPOTENCY_CONSTRAINT = "orders_customer_key_key";
/** The unique constraint of RefundOrder idempotency keys (and return refunds) per order. */
export const REFUNDS_KEY_CONSTRAINT = "refunds_order_key_key";

/**
 * The order schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one. Amounts are bigint minor units.
 */
export const ORDER_MIGRATIONS: readonly Migration[] = [
  {
    name: "order.0001_initial",
    up: [
      `create table orders (
         id uuid primary key,
         customer_id text not null,
         status text not null
           constraint orders_status_check check (status in ('pending', 'confirmed', 'shipped', 'delivered',
             'cancelled', 'failed', 'partially_refunded', 'refunded')),
         lines jsonb not null,
         currency text not null,
         subtotal_minor bigint not null,
         shipping_minor bigint not null,
         total_minor bigint not null,
         refunded_minor bigint not null,
         shipping_address jsonb not null,
         shipping_method text not null,
         payment_intent_id text not null default '',
         payment_brand text not null default '',
         payment_last4 text not null default '',
         shipment_id text not null default '',
         tracking_number text not null default '',
         carrier text not null default '',
         failure_code text not null default '',
         failure_reason text not null default '',
         idempotency_key text not null,
         request_fingerprint text not null,
         ship_time timestamptz,
         deliver_time timestamptz,
         create_time timestamptz not null,
         update_time timestamptz not null,
         version integer not null,
         -- The last line of defence of "refund never exceeds capture".
         constraint orders_refund_check check (refunded_minor >= 0 and refunded_minor <= total_minor),
         constraint ${ORDERS_IDEMPOTENCY_CONSTRAINT} unique (customer_id, idempotency_key)
       )`,
      // Ids are UUIDv7: id order is placing order, so lists page by id.
      "create index orders_customer_idx on orders (customer_id, id desc)",
      "create index orders_status_idx on orders (status, id desc)",
      "create index orders_create_time_idx on orders (create_time desc)",

      `create table order_history (
         id bigint generated always as identity primary key,
         order_id uuid not null references orders (id),
         from_status text,
         to_status text not null,
         actor text not null,
         reason text not null,
         create_time timestamptz not null
       )`,
      "create index order_history_order_idx on order_history (order_id, id)",

      // One saga row per order; a lease (owner + expiry) makes sure one process at a time drives it.
      `create table sagas (
         order_id uuid primary key references orders (id),
         kind text not null constraint sagas_kind_check check (kind in ('checkout', 'cancel')),
         status text not null
           constraint sagas_status_check check (status in ('running', 'waiting', 'compensating', 'done')),
         step text not null,
         failed_step text,
         attempts integer not null,
         step_start_time timestamptz not null,
         next_attempt_time timestamptz not null,
         payment_token text not null default '',
         payment_wait_until timestamptz,
         cancel_actor text not null default '',
         cancel_reason text not null default '',
         cancel_refund_minor bigint not null default 0,
         failure_code text not null default '',
         failure_reason text not null default '',
         lease_owner text,
         lease_expire_time timestamptz,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      // The recovery loop's queue: unfinished sagas by when they are due.
      "create index sagas_due_idx on sagas (next_attempt_time) where status <> 'done'",

      `create table returns (
         id uuid primary key,
         order_id uuid not null references orders (id),
         status text not null
           constraint returns_status_check check (status in ('requested', 'approved', 'rejected', 'refunded')),
         lines jsonb not null,
         reason text not null,
         note text not null default '',
         refund_minor bigint not null,
         currency text not null,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      "create index returns_order_idx on returns (order_id, id)",

      // A refund is recorded (pending) before payment is asked and completed after, so a crash
      // in between is finished by the recovery loop with the same payment idempotency key.
      `create table refunds (
         id uuid primary key,
         order_id uuid not null references orders (id),
         idempotency_key text not null,
         amount_minor bigint not null constraint refunds_amount_check check (amount_minor > 0),
         reason text not null,
         actor text not null,
         return_id uuid references returns (id),
         status text not null constraint refunds_status_check check (status in ('pending', 'done', 'failed')),
         failure text not null default '',
         create_time timestamptz not null,
         update_time timestamptz not null,
         constraint ${REFUNDS_KEY_CONSTRAINT} unique (order_id, idempotency_key)
       )`,
      "create index refunds_pending_idx on refunds (update_time) where status = 'pending'",
    ],
  },
];

/** What createDb applies for order: the kit's outbox and inbox, then the order schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...ORDER_MIGRATIONS];
