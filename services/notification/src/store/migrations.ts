import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** One in-app notification per user and business fact. */
export const NOTIFICATIONS_DEDUPE_CONSTRAINT = "notifications_dedupe_key";
/** One delivery per business fact, channel and recipient. */
export const DELIVERIES_DEDUPE_CONSTRAINT = "deliveries_dedupe_key";

const CHANNELS = "'email', 'sms', 'push', 'in_app'";
const CATEGORIES = "'account', 'orders', 'marketing', 'stock_alerts'";

/**
 * The notification schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 */
export const NOTIFICATION_MIGRATIONS: readonly Migration[] = [
  {
    name: "notification.0001_initial",
    up: [
      // Who to write to: fed by identity's events (and identity's answers when configured).
      `create table recipients (
         user_id uuid primary key,
         email text not null default '',
         display_name text not null default '',
         locale text not null default '',
         is_admin boolean not null default false,
         deleted boolean not null default false,
         update_time timestamptz not null
       )`,
      "create index recipients_admins_idx on recipients (user_id) where is_admin and not deleted",

      // Only the switches a user set; the defaults live in the code (domain/preferences.ts).
      `create table preferences (
         user_id uuid not null,
         category text not null constraint preferences_category_check check (category in (${CATEGORIES})),
         channel text not null constraint preferences_channel_check check (channel in (${CHANNELS})),
         enabled boolean not null,
         update_time timestamptz not null,
         primary key (user_id, category, channel)
       )`,

      `create table notifications (
         id uuid primary key,
         user_id uuid not null,
         type text not null,
         category text not null constraint notifications_category_check check (category in (${CATEGORIES})),
         title text not null,
         body text not null,
         link text not null default '',
         dedupe_key text not null,
         create_time timestamptz not null,
         read_time timestamptz,
         constraint ${NOTIFICATIONS_DEDUPE_CONSTRAINT} unique (user_id, dedupe_key)
       )`,
      // The inbox pages newest first by id (UUIDv7, time-ordered); the unread count and filter.
      "create index notifications_user_idx on notifications (user_id, id desc)",
      "create index notifications_unread_idx on notifications (user_id, id desc) where read_time is null",

      `create table deliveries (
         id uuid primary key,
         type text not null,
         category text not null constraint deliveries_category_check check (category in (${CATEGORIES})),
         channel text not null constraint deliveries_channel_check check (channel in ('email', 'sms', 'push')),
         user_id uuid,
         recipient_key text not null,
         recipient text not null default '',
         locale text not null default '',
         data jsonb not null,
         dedupe_key text not null,
         event_id text not null,
         event_type text not null,
         state text not null
           constraint deliveries_state_check check (state in ('queued', 'sent', 'failed', 'dead_letter')),
         attempts integer not null default 0,
         last_error text not null default '',
         subject text not null default '',
         provider_message_id text not null default '',
         redrive_count integer not null default 0,
         create_time timestamptz not null,
         update_time timestamptz not null,
         next_attempt_time timestamptz not null,
         sent_time timestamptz,
         constraint ${DELIVERIES_DEDUPE_CONSTRAINT} unique (dedupe_key, channel, recipient_key)
       )`,
      // The dispatcher's queue: queued deliveries by when they are due.
      "create index deliveries_due_idx on deliveries (next_attempt_time, id) where state = 'queued'",
      // The admin view: newest first, all or by state or user.
      "create index deliveries_time_idx on deliveries (create_time desc, id desc)",
      "create index deliveries_state_idx on deliveries (state, create_time desc, id desc)",
      "create index deliveries_user_idx on deliveries (user_id, create_time desc, id desc)",

      // (Dropped by 0002.) New deliveries (and re-driven ones) wake the dispatchers at once, on commit; their poll
      // only covers retries coming due and notifications lost while a listener was down.
      `create function deliveries_notify() returns trigger language plpgsql as $$
       begin
         perform pg_notify(tg_table_schema || '.deliveries', '');
         return null;
       end
       $$`,
      `create trigger deliveries_inserted after insert on deliveries
         for each statement execute function deliveries_notify()`,
      `create trigger deliveries_requeued after update of state on deliveries
         for each row when (old.state <> 'queued' and new.state = 'queued')
         execute function deliveries_notify()`,
    ],
  },
  {
    // A NOTIFY holds one server-wide lock from commit until the commit is on disk: committing
    // writers queued behind each other. The dispatcher now hears of its own process's new and
    // re-driven deliveries directly (reportInsertOnCommit) and polls for the rest.
    name: "notification.0002_deliveries_without_notify",
    up: [
      "drop trigger deliveries_inserted on deliveries",
      "drop trigger deliveries_requeued on deliveries",
      "drop function deliveries_notify()",
    ],
  },
];

/** What createDb applies for notification: the kit's outbox and inbox, then the notification schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...NOTIFICATION_MIGRATIONS];
