import { fromBinary } from "@bufbuild/protobuf";
import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { DeliveryDeadLetteredSchema } from "@shopmesh/contracts/shopmesh/notification/v1/events_pb";
import { Channel, DeliveryState } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import {
  OrderConfirmedSchema,
  OrderRefundedSchema,
  OrderShippedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { streamName } from "@shopmesh/kit/events";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedOrder } from "./orders-fixture.ts";
import { id, startNotification, type TestNotification } from "./support.ts";

let t: TestNotification;
const ADMIN = id();

beforeAll(async () => {
  t = await startNotification();
});

afterAll(async () => {
  await t?.stop();
});

/** Registers a customer the way identity announces one. */
async function customer(locale = "en") {
  const userId = id();
  const email = `c-${userId.slice(-12)}@example.test`;
  await t.publish(
    "identity",
    UserRegisteredSchema,
    { userId, email, displayName: "Ada Lovelace", locale },
    userId,
  );
  await waitFor(() => t.smtp.to(email).length > 0, { message: "the welcome mail" });
  return { userId, email };
}

async function consumed(type: string, outcome: string): Promise<number> {
  const metric = await t.notification.metrics.eventsConsumed.get();
  return metric.values
    .filter((v) => v.labels.type === type && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

async function inboxHas(eventId: string): Promise<boolean> {
  const rows = await t.notification.db.execute("select 1 from inbox_events where event_id = ?", [eventId]);
  return rows.length > 0;
}

const confirmations = (email: string) => t.smtp.to(email).filter((mail) => /is confirmed/.test(mail.subject));

describe("order confirmation", () => {
  it("mails exactly one confirmation with the order's lines and totals, as HTML and text", async () => {
    const { userId, email } = await customer();
    const order = confirmedOrder(userId);
    await t.publish("order", OrderConfirmedSchema, { order }, order.id);

    const [mail] = await waitFor(() => confirmations(email).length > 0 && confirmations(email), {
      message: "the confirmation mail",
    });
    const reference = order.id.replace(/-/g, "").slice(-8).toUpperCase();
    expect(mail!.subject).toBe(`Your order ${reference} is confirmed`);
    expect(mail!.headers.from).toBe("Test Shop <shop@shop.test>");
    expect(mail!.messageId).toMatch(/^<[0-9a-f-]{36}@shopmesh\.local>$/);
    expect(mail!.text).toContain("Hi Ada Lovelace,");
    expect(mail!.text).toContain("2 × Organic Tee (Black / M) [TEE-BLK-M]: €39.98");
    expect(mail!.text).toContain("1 × Mug & Saucer [MUG-1]: €12.50");
    expect(mail!.text).toContain("Subtotal: €52.48");
    expect(mail!.text).toContain("Shipping: €4.90");
    expect(mail!.text).toContain("Total: €57.38");
    expect(mail!.text).toContain("visa ending 4242");
    expect(mail!.text).toContain(`https://shop.test/orders/${order.id}`);
    expect(mail!.html).toContain("Mug &amp; Saucer");
    expect(mail!.html).toContain("€57.38");

    // The same fact also lands in the inbox and on the push sink (both on by default).
    const inbox = await t.client.listNotifications({}, await t.as(userId));
    expect(inbox.notifications.map((n) => n.title)).toContain(`Order ${reference} confirmed`);
    await waitFor(() => t.notification.sinks.push.messages().some((m) => m.to === `user:${userId}`));
    // SMS is off until the customer turns it on.
    expect(
      t.notification.sinks.sms
        .messages()
        .filter((m) => m.body?.includes(reference) || m.text?.includes(reference)),
    ).toEqual([]);
    expect(confirmations(email)).toHaveLength(1);
  });

  it("sends nothing more for a redelivered event or a second event of the same fact", async () => {
    const { userId, email } = await customer();
    const order = confirmedOrder(userId);
    const eventId = await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    await waitFor(() => confirmations(email).length === 1, { message: "the first confirmation" });

    const duplicatesBefore = await consumed(OrderConfirmedSchema.typeName, "duplicate");
    await t.republish("order", eventId);
    await waitFor(
      async () => (await consumed(OrderConfirmedSchema.typeName, "duplicate")) > duplicatesBefore,
      {
        message: "the redelivery to reach the consumer",
      },
    );
    // A new event about the same confirmation (another ce-id), as a replayed saga might record.
    const second = await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    await waitFor(() => inboxHas(second), { message: "the second event to be handled" });

    await t.notification.dispatcher.drain();
    expect(confirmations(email)).toHaveLength(1);
    const rows = await t.notification.db.execute<{ channel: string }>(
      "select channel from deliveries where dedupe_key = ? order by channel",
      [`order_confirmed:${order.id}`],
    );
    expect(rows.map((row) => row.channel)).toEqual(["email", "push"]);
    const inbox = await t.client.listNotifications({}, await t.as(userId));
    expect(inbox.notifications.filter((n) => n.type === "order_confirmed")).toHaveLength(1);
  });

  it("writes to German customers in German, with German number formats", async () => {
    const { userId, email } = await customer("de");
    const order = confirmedOrder(userId);
    await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    const mail = await waitFor(() => t.smtp.to(email).find((m) => /ist bestätigt/.test(m.subject)));
    expect(mail.text).toContain("Hallo Ada Lovelace,");
    expect(mail.text.replace(/\u00a0/g, " ")).toContain("Gesamt: 57,38 €");
    expect(mail.headers["content-language"]).toBe("de");
  });
});

describe("later order messages", () => {
  it("tells the customer the tracking number when the order ships, and what was refunded", async () => {
    const { userId, email } = await customer();
    const order = confirmedOrder(userId, { trackingNumber: "SIM-TRACK-42" });
    await t.publish("order", OrderShippedSchema, { order }, order.id);
    const shipped = await waitFor(() => t.smtp.to(email).find((m) => /on its way/.test(m.subject)));
    expect(shipped.text).toContain("Tracking number: SIM-TRACK-42");

    const refunded = confirmedOrder(userId, { id: order.id, refundedMinor: 1250n });
    for (const reason of ["damaged mug", "late"]) {
      await t.publish(
        "order",
        OrderRefundedSchema,
        { order: refunded, amount: { amountMinor: 1250n, currency: "EUR" }, reason },
        order.id,
      );
    }
    // Two refunds are two facts: two mails.
    const refunds = await waitFor(() => {
      const mails = t.smtp.to(email).filter((m) => /^Refund for your order/.test(m.subject));
      return mails.length === 2 && mails;
    });
    const damaged = refunds.find((m) => m.text.includes("(damaged mug)"));
    expect(damaged?.text).toContain("we refunded €12.50");
    expect(refunds.some((m) => m.text.includes("(late)"))).toBe(true);
  });
});

describe("when the mail server fails", () => {
  it("retries with backoff, dead-letters after the limit, and an admin re-drives it", async () => {
    const { userId, email } = await customer();
    t.smtp.setMode({ accept: false, code: 451, message: "4.3.0 mailbox temporarily unavailable" });
    try {
      const order = confirmedOrder(userId);
      await t.publish("order", OrderConfirmedSchema, { order }, order.id);
      const admin = await t.as(ADMIN, ["admin"]);
      const dead = await waitFor(
        async () => {
          const { deliveries } = await t.client.listDeliveries(
            { state: DeliveryState.DEAD_LETTER, userId, channel: Channel.EMAIL },
            admin,
          );
          return deliveries[0];
        },
        { timeoutMs: 10_000, message: "the dead letter" },
      );
      expect(dead.attempts).toBe(3);
      expect(dead.lastError).toContain("451");
      expect(dead.recipient).toBe(email);
      expect(dead.type).toBe("order_confirmed");
      expect(t.smtp.refused).toBeGreaterThanOrEqual(3);
      expect(confirmations(email)).toEqual([]);

      // DeliveryDeadLettered goes out for alerting.
      await waitFor(async () =>
        (await readStream(streamName(t.prefix, "notification"), t.nats)).some(
          (msg) =>
            msg.header?.get("ce-type") === DeliveryDeadLetteredSchema.typeName &&
            fromBinary(DeliveryDeadLetteredSchema, msg.data).delivery?.id === dead.id,
        ),
      );

      // Support may look but not re-drive; admins may.
      const support = await t.as(id(), ["support"]);
      await expect(t.client.redriveDelivery({ deliveryId: dead.id }, support)).rejects.toThrow(/permission/);
      t.smtp.setMode({ accept: true });
      const { delivery } = await t.client.redriveDelivery({ deliveryId: dead.id }, admin);
      expect(delivery).toMatchObject({ state: DeliveryState.QUEUED, attempts: 0, redriveCount: 1 });
      await waitFor(() => confirmations(email).length === 1, { message: "the re-driven mail" });
      const sent = await waitFor(async () => {
        const { delivery: current } = await t.client.getDelivery({ deliveryId: dead.id }, admin);
        return current?.state === DeliveryState.SENT && current;
      });
      expect(sent.providerMessageId).toBe(`<${dead.id}@shopmesh.local>`);
      await expect(t.client.redriveDelivery({ deliveryId: dead.id }, admin)).rejects.toThrow(
        /only dead letters/,
      );
    } finally {
      t.smtp.setMode({ accept: true });
    }
  });

  it("fails a delivery at once when the server says the mailbox does not exist", async () => {
    const { userId } = await customer();
    t.smtp.setMode({ accept: false, code: 550, message: "5.1.1 no such user" });
    try {
      const order = confirmedOrder(userId);
      await t.publish("order", OrderConfirmedSchema, { order }, order.id);
      const admin = await t.as(ADMIN, ["admin"]);
      const failed = await waitFor(async () => {
        const { deliveries } = await t.client.listDeliveries({ state: DeliveryState.FAILED, userId }, admin);
        return deliveries[0];
      });
      expect(failed).toMatchObject({ attempts: 1, channel: Channel.EMAIL });
      expect(failed.lastError).toContain("550");
    } finally {
      t.smtp.setMode({ accept: true });
    }
  });
});
