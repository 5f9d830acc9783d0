import { createSql, type PgPool } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import { type EventMeta, type OutboxRows, outboxInsertAt, outboxValues } from "@shopmesh/kit/events";
import type { Shipment } from "../domain/shipment.ts";
import { COLUMNS, type RawShipment, toShipment } from "./shipments.ts";

/**
 * The statements of the checkout saga's CreateShipment: plain SQL with bind parameters on the
 * pool (the kit's prepared statements, `createSql`), each statement its own transaction. A new
 * shipment is one statement that inserts the shipment, its tracking events and its outbox rows
 * (the kit's `createOutboxRows`), so all of it is written or none of it.
 */
export interface CheckoutStatements {
  /** An order's shipment, read without a lock. */
  shipment(orderId: string): Promise<Shipment | undefined>;
  /**
   * Writes a new shipment with its tracking events and events in one statement, unless the order
   * has one already: then nothing is written and false returned. A concurrent write for the same
   * order waits for the other statement and returns false once it has committed (ON CONFLICT on
   * the unique order id), so concurrent CreateShipment calls of one order make one shipment.
   */
  create(write: ShipmentWrite): Promise<boolean>;
}

/** A new shipment and the events its creation recorded. */
export interface ShipmentWrite {
  shipment: Shipment;
  events: readonly DomainEvent[];
  meta: EventMeta;
}

const SHIPMENT = `select ${COLUMNS} from shipments s where s.order_id = $1::uuid`;

// The tracking events and outbox rows are written only with the shipment: the tracking insert
// joins the shipment's CTE, the outbox insert checks it. tracking_events' foreign key is checked
// at the end of the statement, when the shipment is there.
const CREATE = `with shipment as (
      insert into shipments (id, order_id, carrier, tracking_number, method, status, address,
        weight_grams, items, create_time, update_time)
      values ($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::integer,
        $9::jsonb, $10::timestamptz, $11::timestamptz)
      on conflict (order_id) do nothing
      returning id
    ),
    tracking as (
      insert into tracking_events (shipment_id, seq, status, location, note, event_time)
      select shipment.id, e.seq, e.status, e.location, e.note, e.event_time
      from shipment,
        unnest($12::integer[], $13::text[], $14::text[], $15::text[], $16::timestamptz[])
          as e (seq, status, location, note, event_time)
    ),
    outbox as (${outboxInsertAt(17, "exists (select from shipment)")})
    select count(*)::integer as written from shipment`;

export function createCheckoutStatements(options: {
  pool: Promise<PgPool>;
  outboxRows: OutboxRows;
}): CheckoutStatements {
  const { pool, outboxRows } = options;
  const sql = async () => createSql(await pool);

  return {
    async shipment(orderId) {
      const { rows } = await (await sql()).query<RawShipment>(SHIPMENT, [orderId]);
      return rows[0] ? toShipment(rows[0]) : undefined;
    },
    async create({ shipment, events, meta }) {
      const tracking = shipment.trackingEvents;
      const { rows } = await (await sql()).query<{ written: number }>(CREATE, [
        shipment.id,
        shipment.orderId,
        shipment.carrier,
        shipment.trackingNumber,
        shipment.method,
        shipment.status,
        JSON.stringify(shipment.address),
        shipment.weightGrams,
        JSON.stringify(shipment.items),
        shipment.createTime,
        shipment.updateTime,
        tracking.map((_, seq) => seq),
        tracking.map((event) => event.status),
        tracking.map((event) => event.location),
        tracking.map((event) => event.note),
        tracking.map((event) => event.eventTime),
        ...outboxValues(outboxRows(events, meta)),
      ]);
      return rows[0]?.written === 1;
    },
  };
}
