import { PaymentVoidedSchema } from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { describe, expect, it } from "vitest";
import { domainEvent } from "./domain-event.ts";
import type { EventMeta } from "./envelope.ts";
import { EventHeaders } from "./envelope.ts";
import { createEventWriter, type RecordEvents } from "./event-writer.ts";
import { createOutboxRows } from "./outbox-rows.ts";

/** What the kit's recorder hands to the ORM for `events`, caught instead of flushed. */
function kitRows(events: Parameters<RecordEvents>[1], meta: EventMeta): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const em = {
    create: (_entity: unknown, data: Record<string, unknown>) => data,
    persist: rows.push.bind(rows),
  };
  createEventWriter({ context: "payment", prefix: "shopmesh_t1" })(
    em as unknown as Parameters<RecordEvents>[0],
    events,
    meta,
  );
  return rows;
}

/** A row without what differs per call: its id and time. */
function comparable(row: Record<string, unknown>) {
  const { id, createdAt, headers, ...rest } = row;
  const {
    [EventHeaders.id]: headerId,
    [EventHeaders.time]: time,
    ...stable
  } = headers as Record<string, string>;
  expect(headerId).toBe(id);
  expect(time).toBe((createdAt as Date).toISOString());
  return { ...rest, headers: stable };
}

describe("outbox rows for plain SQL", () => {
  it("have the shape recordEvent gives them, so the relay publishes them alike", () => {
    const events = [
      domainEvent(PaymentVoidedSchema, "0190a000-0000-7000-8000-0000000000a1", {
        paymentIntent: { id: "0190a000-0000-7000-8000-0000000000a1" },
        reason: "cancelled",
      }),
    ];
    const meta: EventMeta = {
      correlationId: "request-1",
      causationId: "evt_1",
      actor: "service:order\nx",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };
    const ours = createOutboxRows({ context: "payment", prefix: "shopmesh_t1" })(events, meta);
    const kits = kitRows(events, meta);
    expect(ours.map((row) => comparable({ ...row }))).toEqual(kits.map(comparable));
    expect(ours[0]).toMatchObject({ subject: "shopmesh_t1.payment.payment_voided" });
  });

  it("leave out the meta that is not given", () => {
    const events = [domainEvent(PaymentVoidedSchema, "0190a000-0000-7000-8000-0000000000a2", {})];
    const [ours] = createOutboxRows({ context: "payment", prefix: "shopmesh_t1" })(events, {});
    expect(comparable({ ...ours! })).toEqual(comparable(kitRows(events, {})[0]!));
    expect(Object.keys(ours!.headers)).not.toContain(EventHeaders.actor);
  });
});
