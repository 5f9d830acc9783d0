import { fromBinary } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEventPublisher,
  derivedEventId,
  type EventPublisher,
  readEnvelope,
} from "../src/events/index.ts";
import { isUuid } from "../src/ids/index.ts";
import { connectTestNats, deleteStreams, readStream, testPrefix } from "../src/testing/index.ts";

describe("publishing one event without an outbox", () => {
  let nats: NatsConnection;
  let publisher: EventPublisher;
  const prefix = testPrefix();
  const stream = `${prefix.toUpperCase()}_CART`;

  beforeAll(async () => {
    nats = await connectTestNats();
    publisher = createEventPublisher({ nats, context: "cart", prefix, timeoutMs: 5_000 });
    await publisher.ensureStream();
  });

  afterAll(async () => {
    publisher?.close();
    await deleteStreams(prefix, nats);
    await nats?.close();
  });

  it("sends the body with the kit's envelope, Nats-Msg-Id = ce-id, on the context's subject", async () => {
    const time = new Date("2026-03-04T05:06:07.089Z");
    const ack = await publisher.publish({
      schema: CartCreatedSchema,
      aggregateId: "cart-1",
      data: { cartId: "cart-1", userId: "user-1" },
      time,
      meta: { actor: "user:user-1", traceparent: "00-abc-def-01" },
    });
    expect(isUuid(ack.id)).toBe(true);
    expect(ack).toMatchObject({ stream, duplicate: false });

    const [msg] = await readStream(stream, nats);
    expect(msg!.subject).toBe(`${prefix}.cart.cart_created`);
    expect(msg!.header.get("Nats-Msg-Id")).toBe(ack.id);
    expect(readEnvelope(msg!.header)).toMatchObject({
      id: ack.id,
      type: "shopmesh.cart.v1.CartCreated",
      source: "shopmesh/cart",
      subject: "cart-1",
      time,
      meta: { actor: "user:user-1", traceparent: "00-abc-def-01" },
    });
    expect(fromBinary(CartCreatedSchema, msg!.data)).toMatchObject({ cartId: "cart-1", userId: "user-1" });
  });

  it("keeps one copy of an event published again with the same id", async () => {
    const id = derivedEventId("cart-2", CartCreatedSchema.typeName, new Date());
    const event = { schema: CartCreatedSchema, aggregateId: "cart-2", id, data: { cartId: "cart-2" } };
    const first = await publisher.publish(event);
    const again = await publisher.publish(event);
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
    const copies = (await readStream(stream, nats)).filter((msg) => msg.header.get("ce-id") === id);
    expect(copies).toHaveLength(1);
  });

  it("rejects when no stream takes the subject", async () => {
    const other = createEventPublisher({ nats, context: "nostream", prefix, timeoutMs: 2_000 });
    try {
      await expect(
        other.publish({ schema: CartCreatedSchema, aggregateId: "cart-3", data: { cartId: "cart-3" } }),
      ).rejects.toThrow(/no stream|no responders/);
    } finally {
      other.close();
    }
  });
});

describe("derivedEventId", () => {
  const time = new Date("2026-01-02T03:04:05.678Z");

  it("is a UUIDv7 carrying the time, the same for the same key and type", () => {
    const id = derivedEventId("cart-1", "shopmesh.cart.v1.CartCreated", time);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId("cart-1", "shopmesh.cart.v1.CartCreated", time)).toBe(id);
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(time.getTime());
  });

  it("differs for another key or another event type", () => {
    const id = derivedEventId("cart-1", "shopmesh.cart.v1.CartCreated", time);
    expect(derivedEventId("cart-2", "shopmesh.cart.v1.CartCreated", time)).not.toBe(id);
    expect(derivedEventId("cart-1", "shopmesh.cart.v1.CartMerged", time)).not.toBe(id);
  });
});
