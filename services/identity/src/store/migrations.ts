import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/** The unique constraint on users.email; its violation means EMAIL_TAKEN. */
export const USERS_EMAIL_CONSTRAINT = "users_email_key";

/**
 * The identity schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 */
export const IDENTITY_MIGRATIONS: readonly Migration[] = [
  {
    name: "identity.0001_initial",
    up: [
      `create table users (
         id uuid primary key,
         email text not null constraint ${USERS_EMAIL_CONSTRAINT} unique,
         email_verified boolean not null default false,
         password_hash text not null,
         display_name text not null,
         locale text not null default '',
         roles text[] not null,
         lock_reason text,
         lock_until timestamptz,
         lock_since timestamptz,
         failed_logins integer not null default 0,
         failed_logins_since timestamptz,
         mfa_status text not null default 'disabled'
           constraint users_mfa_status_check check (mfa_status in ('disabled', 'pending', 'enabled')),
         totp_secret text,
         recovery_code_hashes text[] not null default '{}',
         last_totp_step integer,
         create_time timestamptz not null,
         update_time timestamptz not null,
         last_login_time timestamptz,
         delete_time timestamptz
       )`,
      // ListUsers pages live accounts in (create_time, id) order.
      "create index users_live_create_time_idx on users (create_time, id) where delete_time is null",

      `create table sessions (
         id uuid primary key,
         user_id uuid not null references users (id) on delete cascade,
         token_hash text not null,
         generation integer not null,
         user_agent text not null default '',
         ip_address text not null default '',
         create_time timestamptz not null,
         last_used_time timestamptz not null,
         expire_time timestamptz not null,
         revoke_time timestamptz,
         revoke_reason text
       )`,
      "create index sessions_user_idx on sessions (user_id, create_time)",

      // Every refresh token a session ever had, by hash: a rotated one presented again is reuse.
      `create table refresh_tokens (
         hash text primary key,
         session_id uuid not null references sessions (id) on delete cascade,
         generation integer not null,
         create_time timestamptz not null
       )`,
      "create index refresh_tokens_session_idx on refresh_tokens (session_id)",

      `create table action_tokens (
         hash text primary key,
         kind text not null
           constraint action_tokens_kind_check check (kind in ('email_verification', 'password_reset')),
         user_id uuid not null references users (id) on delete cascade,
         create_time timestamptz not null,
         expire_time timestamptz not null,
         use_time timestamptz
       )`,
      "create index action_tokens_user_idx on action_tokens (user_id, kind)",

      `create table user_addresses (
         id uuid primary key,
         user_id uuid not null references users (id) on delete cascade,
         label text not null default '',
         recipient text not null,
         line1 text not null,
         line2 text not null default '',
         city text not null,
         region text not null default '',
         postal_code text not null,
         country_code text not null,
         phone text not null default '',
         default_shipping boolean not null default false,
         default_billing boolean not null default false,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      "create index user_addresses_user_idx on user_addresses (user_id, create_time)",
      // At most one default of each kind per user, whatever the application does.
      "create unique index user_addresses_default_shipping_idx on user_addresses (user_id) where default_shipping",
      "create unique index user_addresses_default_billing_idx on user_addresses (user_id) where default_billing",

      `create table signing_keys (
         kid text primary key,
         private_key text not null,
         public_jwk jsonb not null,
         create_time timestamptz not null,
         retire_time timestamptz
       )`,
    ],
  },
];

/** What createDb applies for identity: the kit's outbox and inbox, then the identity schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...IDENTITY_MIGRATIONS];
