import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";
import { GENESIS_HASH } from "../domain/chain.ts";

/** The unique constraint on audit_entries.event_id: one entry per event, whatever the inbox kept. */
export const EVENT_ID_CONSTRAINT = "audit_entries_event_id_key";

/** The projection tables, in the order the rebuild creates, compares and swaps them. */
export const PROJECTION_TABLES = [
  "orders_daily",
  "failed_orders_daily",
  "failed_payments_daily",
  "signups_daily",
  "carts_daily",
  "product_sales_daily",
  "product_names",
] as const;
export type ProjectionTableName = (typeof PROJECTION_TABLES)[number];

/** The tables of audit.0001_initial: what it creates must never change. */
const INITIAL_TABLES: readonly ProjectionTableName[] = [
  "orders_daily",
  "failed_orders_daily",
  "failed_payments_daily",
  "signups_daily",
  "product_sales_daily",
  "product_names",
];

/** The `create table` of each projection table, given its (qualified) name. */
const PROJECTION_DDL: Record<ProjectionTableName, (name: string) => string> = {
  // Checkout figures on the day the order was placed; refunds and cancellations on their day.
  orders_daily: (name) => `create table ${name} (
       day date not null,
       currency text not null,
       orders_placed bigint not null default 0,
       orders_confirmed bigint not null default 0,
       orders_failed bigint not null default 0,
       orders_cancelled bigint not null default 0,
       revenue_minor bigint not null default 0,
       refunds bigint not null default 0,
       refunded_minor bigint not null default 0,
       primary key (day, currency)
     )`,
  failed_orders_daily: (name) => `create table ${name} (
       day date not null,
       currency text not null,
       failure_code text not null,
       orders bigint not null default 0,
       primary key (day, currency, failure_code)
     )`,
  failed_payments_daily: (name) => `create table ${name} (
       day date not null,
       currency text not null,
       failure_code text not null,
       payments bigint not null default 0,
       amount_minor bigint not null default 0,
       primary key (day, currency, failure_code)
     )`,
  signups_daily: (name) => `create table ${name} (
       day date primary key,
       signups bigint not null default 0
     )`,
  // CartCreated on the day the cart was created; carts have no currency.
  carts_daily: (name) => `create table ${name} (
       day date primary key,
       carts_created bigint not null default 0
     )`,
  product_sales_daily: (name) => `create table ${name} (
       day date not null,
       currency text not null,
       sku text collate "C" not null,
       units bigint not null default 0,
       revenue_minor bigint not null default 0,
       primary key (day, currency, sku)
     )`,
  product_names: (name) => `create table ${name} (
       sku text collate "C" primary key,
       product_id text not null,
       product_name text not null,
       seen_time timestamptz not null
     )`,
};

/**
 * The projection tables as they are now (or only `tables`), with `table(name)` naming each one:
 * the migrations create them unqualified (in the service's schema), the rebuild in its shadow
 * schema. A change of their shape changes PROJECTION_DDL and ships a migration that recreates
 * them (then rebuild); a new table ships a migration creating it.
 */
export function projectionDdl(
  table: (name: ProjectionTableName) => string,
  tables: readonly ProjectionTableName[] = PROJECTION_TABLES,
): string[] {
  return tables.map((name) => PROJECTION_DDL[name](table(name)));
}

/**
 * The audit schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    name: "audit.0001_initial",
    up: [
      `create table audit_entries (
         sequence bigint primary key,
         event_id text not null constraint ${EVENT_ID_CONSTRAINT} unique,
         event_type text not null,
         context text not null,
         actor text not null,
         subject text not null,
         event_time timestamptz not null,
         correlation_id text not null,
         causation_id text not null,
         payload_summary jsonb not null,
         record_time timestamptz not null,
         previous_hash text not null,
         hash text not null
       )`,
      // ListAuditEntries: newest first under each filter.
      "create index audit_entries_actor_idx on audit_entries (actor, sequence desc)",
      "create index audit_entries_subject_idx on audit_entries (subject, sequence desc)",
      `create index audit_entries_type_idx on audit_entries (event_type text_pattern_ops, sequence desc)`,
      "create index audit_entries_correlation_idx on audit_entries (correlation_id, sequence desc)",
      "create index audit_entries_time_idx on audit_entries (event_time)",

      // The head of the chain: one row, locked by every append, so appends are serialised and
      // the chain cannot fork; it also remembers the end, so deleting the last entries shows.
      `create table audit_chain_head (
         id boolean primary key default true constraint audit_chain_head_one_row check (id),
         sequence bigint not null,
         hash text not null
       )`,
      `insert into audit_chain_head (id, sequence, hash) values (true, 0, '${GENESIS_HASH}')`,

      // Append-only in the database too: the service's own role cannot change or delete an
      // entry, nor move the head anywhere but one step forward. Someone who can drop these
      // triggers (a superuser) can still tamper — VerifyAuditLog is what finds that out.
      `create function audit_refuse_change() returns trigger language plpgsql as $$
       begin
         raise exception 'audit log is append-only: % on % refused', tg_op, tg_table_name
           using errcode = 'insufficient_privilege';
       end
       $$`,
      `create trigger audit_entries_append_only before update or delete on audit_entries
         for each row execute function audit_refuse_change()`,
      `create trigger audit_entries_no_truncate before truncate on audit_entries
         for each statement execute function audit_refuse_change()`,
      `create function audit_chain_head_forward() returns trigger language plpgsql as $$
       begin
         if tg_op <> 'UPDATE' or new.sequence <> old.sequence + 1 then
           raise exception 'audit chain head only moves one entry forward'
             using errcode = 'insufficient_privilege';
         end if;
         return new;
       end
       $$`,
      `create trigger audit_chain_head_forward before update or delete on audit_chain_head
         for each row execute function audit_chain_head_forward()`,
      `create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
         for each statement execute function audit_refuse_change()`,

      ...projectionDdl((name) => name, INITIAL_TABLES),
    ],
  },
  {
    // Carts created per day (CartCreated), for the checkout conversion carts -> orders. The new
    // audit-cart consumer fills it from the first message of the cart stream.
    name: "audit.0002_carts_daily",
    up: projectionDdl((name) => name, ["carts_daily"]),
  },
];

/** What createDb applies for audit: the kit's outbox and inbox (the consumers' inbox), then audit's. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...AUDIT_MIGRATIONS];
