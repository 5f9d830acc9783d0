import type { Migration } from "@shopmesh/kit/db";
import { EVENTS_MIGRATIONS } from "@shopmesh/kit/events";

/**
 * The shipping schema, oldest first. Applied by createDb under an advisory lock; never edit a
 * migration that has shipped, append a new one.
 */
export const SHIPPING_MIGRATIONS: readonly Migration[] = [
  {
    name: "shipping.0001_initial",
    up: [
      // One shipment per order (CreateShipment is idempotent by order id: a concurrent second
      // call meets this constraint and answers the first call's shipment).
      `create table shipments (
         id uuid primary key,
         order_id uuid not null constraint shipments_order_id_key unique,
         carrier text not null,
         tracking_number text not null constraint shipments_tracking_number_key unique,
         method text not null constraint shipments_method_check check (method in ('standard', 'express')),
         status text not null
           constraint shipments_status_check
           check (status in ('label_created', 'in_transit', 'out_for_delivery', 'delivered', 'failed', 'cancelled')),
         address jsonb not null,
         weight_grams integer not null constraint shipments_weight_check check (weight_grams > 0),
         items jsonb not null,
         create_time timestamptz not null,
         update_time timestamptz not null
       )`,
      // The simulated carrier's queue: its parcels on the way, least recently moved first.
      `create index shipments_moving_idx on shipments (carrier, update_time)
         where status in ('label_created', 'in_transit', 'out_for_delivery')`,

      `create table tracking_events (
         shipment_id uuid not null references shipments (id),
         seq integer not null,
         status text not null,
         location text not null default '',
         note text not null default '',
         event_time timestamptz not null,
         primary key (shipment_id, seq)
       )`,

      // Carrier webhook events already handled: a replayed id is acknowledged without effect.
      `create table carrier_webhook_events (
         carrier text not null,
         event_id text not null,
         event_type text not null,
         tracking_number text not null default '',
         receive_time timestamptz not null,
         primary key (carrier, event_id)
       )`,
    ],
  },
];

/** What createDb applies for shipping: the kit's outbox and inbox, then the shipping schema. */
export const MIGRATIONS: readonly Migration[] = [...EVENTS_MIGRATIONS, ...SHIPPING_MIGRATIONS];
