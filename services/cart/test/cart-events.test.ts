import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import { ensureStream, readEnvelope } from "@shopmesh/kit/events";
import { connectTestNats, readStream } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startCart,
  startIdentity,
  startPeers,
  type TestCart,
  type TestIdentity,
  type TestPeers,
} from "./support.ts";

let identity: TestIdentity;
let peers: TestPeers;
let cart: TestCart;
let nats: NatsConnection;

beforeAll(async () => {
  [identity, peers, nats] = await Promise.all([startIdentity(), startPeers(), connectTestNats()]);
  cart = await startCart({ peers, identityAddress: identity.address });
  peers.put("E-MUG", 1250n);
  peers.put("E-TEE", 1999n);
}, 60_000);

afterAll(async () => {
  await cart?.stop();
  await peers?.stop();
  await identity?.stop();
  await nats?.close();
});

const stream = () => `${cart.eventsPrefix.toUpperCase()}_CART`;

/** The CartCreated events of `cartId` in the cart's stream, once every publish begun has ended. */
async function createdEvents(cartId: string): Promise<StoredMsg[]> {
  await cart.app.events.settled();
  return (await readStream(stream(), nats)).filter((msg) => readEnvelope(msg.header).subject === cartId);
}

async function unpublished(): Promise<number> {
  const metric = await cart.app.metrics.registry.getSingleMetric("cart_events_unpublished_total")?.get();
  return metric?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
}

describe("CartCreated", () => {
  it("is published once for a new guest cart, and not again when the cart changes", async () => {
    const { cartToken, cart: created } = await cart.client.createGuestCart({});
    await cart.client.addItem({ cartToken, sku: "E-MUG", quantity: 1 });
    await cart.client.addItem({ cartToken, sku: "E-TEE", quantity: 2 });
    await cart.client.removeItem({ cartToken, sku: "E-MUG" });
    await cart.client.clearCart({ cartToken });

    const events = await createdEvents(created!.id);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.subject).toBe(`${cart.eventsPrefix}.cart.cart_created`);
    const envelope = readEnvelope(event!.header);
    expect(envelope).toMatchObject({
      type: "shopmesh.cart.v1.CartCreated",
      source: "shopmesh/cart",
      subject: created!.id,
    });
    expect(envelope.meta.actor).toBeUndefined();
    expect(event!.header.get("Nats-Msg-Id")).toBe(envelope.id);
    const body = fromBinary(CartCreatedSchema, event!.data);
    expect(body).toMatchObject({ cartId: created!.id, userId: "" });
    expect(timestampDate(body.createTime!).getTime()).toBe(envelope.time!.getTime());
  });

  it("is published once when a user's first item is added, not when the user only looks", async () => {
    const user = await identity.signUp("events@cart.test");
    const { cart: none } = await cart.client.getCart({}, user.auth);
    expect(none!.id).toBe("");
    await cart.app.events.settled();
    const before = (await readStream(stream(), nats)).length;

    const { cart: added } = await cart.client.addItem({ sku: "E-MUG", quantity: 1 }, user.auth);
    await cart.client.addItem({ sku: "E-TEE", quantity: 1 }, user.auth);
    await cart.client.updateItem({ sku: "E-MUG", quantity: 3 }, user.auth);

    const events = await createdEvents(added!.id);
    expect(events).toHaveLength(1);
    expect(readEnvelope(events[0]!.header).meta.actor).toBe(`user:${user.userId}`);
    expect(fromBinary(CartCreatedSchema, events[0]!.data)).toMatchObject({
      cartId: added!.id,
      userId: user.userId,
    });
    expect(await readStream(stream(), nats)).toHaveLength(before + 1);
  });

  it("is not published for a user's cart made by merging a guest cart (the guest cart counted)", async () => {
    const user = await identity.signUp("merge-events@cart.test");
    const { cartToken, cart: guest } = await cart.client.createGuestCart({});
    await cart.client.addItem({ cartToken, sku: "E-MUG", quantity: 1 });
    const { cart: merged } = await cart.client.mergeCart({ cartToken }, user.auth);
    expect(merged!.lines).toHaveLength(1);

    expect(await createdEvents(guest!.id)).toHaveLength(1);
    expect(await createdEvents(merged!.id)).toHaveLength(0);
  });

  it("keeps one copy when the same cart's event is published again (the id is derived from the cart)", async () => {
    const { cart: created } = await cart.client.createGuestCart({});
    // A new cart's update_time is its create time.
    const again = {
      id: created!.id,
      userId: "",
      lines: [],
      createTime: timestampDate(created!.updateTime!),
      updateTime: timestampDate(created!.updateTime!),
    };
    cart.app.events.cartCreated(again, {});
    expect(await createdEvents(created!.id)).toHaveLength(1);
  });

  it("does not fail the customer's call when it cannot be published, and counts it", async () => {
    const jsm = await jetstreamManager(nats);
    await jsm.streams.delete(stream());
    const missed = await unpublished();
    try {
      const { cart: created } = await cart.client.createGuestCart({});
      expect(created!.id).toMatch(/^[0-9a-f-]{36}$/);
      await cart.app.events.settled();
      expect(await unpublished()).toBe(missed + 1);
    } finally {
      await ensureStream(jsm, cart.eventsPrefix, "cart");
    }
  });
});
