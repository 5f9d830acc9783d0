import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { buildEventHeaders, causedBy, readEnvelope } from "./envelope.ts";

describe("event envelope", () => {
  const time = new Date("2026-01-02T03:04:05.678Z");

  it("reads back what it writes, through NATS headers", () => {
    const written = buildEventHeaders({
      id: "0190c2b4-0000-7000-8000-000000000001",
      context: "order",
      type: "shopmesh.order.v1.OrderPlaced",
      aggregateId: "order-1",
      time,
      meta: { correlationId: "c-1", causationId: "e-0", actor: "user:u-1", traceparent: "00-abc-def-01" },
    });
    const h = headers();
    for (const [key, value] of Object.entries(written)) h.set(key, value);
    const envelope = readEnvelope(h);
    expect(envelope).toMatchObject({
      id: "0190c2b4-0000-7000-8000-000000000001",
      type: "shopmesh.order.v1.OrderPlaced",
      source: "shopmesh/order",
      subject: "order-1",
      time,
      meta: { correlationId: "c-1", causationId: "e-0", actor: "user:u-1", traceparent: "00-abc-def-01" },
    });
    expect(envelope.headers["ce-specversion"]).toBe("1.0");
    expect(envelope.headers["ce-datacontenttype"]).toBe("application/protobuf");
    expect(envelope.headers["ce-time"]).toBe("2026-01-02T03:04:05.678Z");
  });

  it("leaves out meta it was not given and keeps header values on one line", () => {
    const written = buildEventHeaders({ id: "e", context: "cart", type: "t", aggregateId: "a\r\nb", time });
    expect(Object.keys(written)).not.toContain("traceparent");
    expect(Object.keys(written)).not.toContain("shopmesh-actor");
    expect(written["ce-subject"]).toBe("a b");
  });

  it("reports missing and malformed attributes as undefined", () => {
    const h = headers();
    h.set("ce-time", "yesterday");
    const envelope = readEnvelope(h);
    expect(envelope.id).toBeUndefined();
    expect(envelope.type).toBeUndefined();
    expect(envelope.time).toBeUndefined();
    expect(readEnvelope(undefined).headers).toEqual({});
  });

  it("continues the correlation of the event that caused a new one", () => {
    expect(causedBy({ id: "e-1", meta: { correlationId: "c-1", actor: "service:order" } })).toEqual({
      correlationId: "c-1",
      causationId: "e-1",
      actor: "service:order",
    });
    expect(causedBy({ id: "e-2", meta: {} })).toEqual({ correlationId: "e-2", causationId: "e-2" });
  });
});
