import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedOrder } from "./orders-fixture.ts";
import { id, startNotification, type TestNotification } from "./support.ts";

/** Two notification replicas on one database, one event prefix and one mail server. */

let first: TestNotification;
let second: TestNotification;

beforeAll(async () => {
  first = await startNotification();
  second = await startNotification({
    smtp: first.smtp,
    shared: { databaseUrl: first.databaseUrl, prefix: first.prefix },
  });
}, 60_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

describe("several replicas", () => {
  it("share the events and the delivery queue, and send every mail exactly once", async () => {
    const customers = Array.from({ length: 12 }, () => ({ userId: id(), email: "" }));
    for (const customer of customers) {
      customer.email = `r-${customer.userId.slice(-12)}@example.test`;
      await first.publish(
        "identity",
        UserRegisteredSchema,
        { userId: customer.userId, email: customer.email, displayName: "R", locale: "en" },
        customer.userId,
      );
    }
    for (const customer of customers) {
      const order = confirmedOrder(customer.userId);
      await first.publish("order", OrderConfirmedSchema, { order }, order.id);
    }
    await waitFor(() => customers.every((c) => first.smtp.to(c.email).length === 2), {
      timeoutMs: 15_000,
      message: "a welcome and a confirmation for everyone",
    });
    await Promise.all([first.notification.dispatcher.drain(), second.notification.dispatcher.drain()]);
    for (const customer of customers) {
      expect(first.smtp.to(customer.email).map((m) => m.subject.replace(/ [0-9A-F]{8} /, " # "))).toEqual(
        expect.arrayContaining(["Welcome to Test Shop", "Your order # is confirmed"]),
      );
      expect(first.smtp.to(customer.email)).toHaveLength(2);
    }
    // Both replicas did part of the work.
    const sent = async (t: TestNotification) =>
      (
        await t.notification.metrics.registry.getSingleMetricAsString("notification_delivery_attempts_total")
      ).match(/outcome="sent"[^\n]* (\d+)/g);
    expect(await sent(first)).not.toBeNull();
    expect(await sent(second)).not.toBeNull();
  });
});
