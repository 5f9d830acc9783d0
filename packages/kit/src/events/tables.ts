import { defineEntity, p } from "@mikro-orm/core";
import type { Migration } from "../db/index.ts";

/**
 * The outbox and inbox tables live in each service's own schema. Services append
 * `EVENTS_MIGRATIONS` to their migration list and `outboxEntities` to their entities:
 *
 *   createDb({ ..., entities: [...myEntities, ...outboxEntities],
 *                   migrations: [...EVENTS_MIGRATIONS, ...myMigrations] });
 *
 * `recordEvent` writes outbox rows through the ORM (so they join the unit of work); the relay
 * and the consumer's inbox use plain SQL.
 */
export const EVENTS_MIGRATIONS: readonly Migration[] = [
  {
    name: "kit.events.0001_outbox_inbox",
    up: [
      `create table outbox_events (
         id uuid primary key,
         type text not null,
         subject text not null,
         aggregate_id text not null,
         headers jsonb not null,
         data bytea not null,
         created_at timestamptz not null default now(),
         published_at timestamptz,
         attempts integer not null default 0,
         last_error text,
         available_at timestamptz not null default now()
       )`,
      // The relay's scan: unsent rows in id (UUIDv7, so creation) order.
      "create index outbox_events_unpublished_idx on outbox_events (id) where published_at is null",
      "create index outbox_events_published_at_idx on outbox_events (published_at) where published_at is not null",
      // (Dropped by 0002.) One NOTIFY per inserting statement, delivered when the transaction commits,
      // wakes the relay at once. Channel "<schema>.outbox_events" keeps services sharing a
      // database apart.
      `create function outbox_events_notify() returns trigger language plpgsql as $$
       begin
         perform pg_notify(tg_table_schema || '.outbox_events', '');
         return null;
       end
       $$`,
      `create trigger outbox_events_notify after insert on outbox_events
         for each statement execute function outbox_events_notify()`,
      `create table inbox_events (
         consumer text not null,
         event_id text not null,
         processed_at timestamptz not null default now(),
         primary key (consumer, event_id)
       )`,
      "create index inbox_events_processed_at_idx on inbox_events (processed_at)",
    ],
  },
  {
    // A NOTIFY makes its transaction take one server-wide lock from commit until the commit is on
    // disk, so every committing writer queued behind the others' WAL flush. The relay now hears of
    // its own process's commits directly and polls for the rest.
    name: "kit.events.0002_outbox_without_notify",
    up: ["drop trigger outbox_events_notify on outbox_events", "drop function outbox_events_notify()"],
  },
];

/**
 * An outbox row as `recordEvent` writes it. Delivery bookkeeping (published_at, attempts,
 * last_error, available_at) is left to column defaults and the relay's SQL.
 */
export const OutboxEvent = defineEntity({
  name: "OutboxEvent",
  tableName: "outbox_events",
  properties: {
    id: p.uuid().primary(),
    /** The proto full name (ce-type). */
    type: p.text(),
    /** The NATS subject it is published on. */
    subject: p.text(),
    aggregateId: p.text(),
    headers: p.json<Record<string, string>>(),
    data: p.uint8array(),
    createdAt: p.datetime(),
  },
});

export const outboxEntities = [OutboxEvent] as const;
