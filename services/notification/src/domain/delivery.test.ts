import { describe, expect, it } from "vitest";
import {
  type Delivery,
  deliveryFailed,
  deliverySent,
  queueDelivery,
  redriveDelivery,
  retryDelayMs,
} from "./delivery.ts";

const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 10_000 };
const now = new Date("2025-01-01T10:00:00Z");

function queued(attempts = 1): Delivery {
  return {
    ...queueDelivery({
      id: "0190a000-0000-7000-8000-0000000000d1",
      type: "order_confirmed",
      category: "orders",
      channel: "email",
      userId: "0190a000-0000-7000-8000-000000000001",
      recipientKey: "0190a000-0000-7000-8000-000000000001",
      recipient: "",
      locale: "",
      data: {},
      dedupeKey: "order_confirmed:o1",
      eventId: "e1",
      eventType: "shopmesh.order.v1.OrderConfirmed",
      now,
    }),
    attempts,
  };
}

describe("delivery life", () => {
  it("backs off exponentially with jitter, capped", () => {
    expect(retryDelayMs(1, policy, 1)).toBe(1000);
    expect(retryDelayMs(2, policy, 1)).toBe(2000);
    expect(retryDelayMs(3, policy, 0)).toBe(2000);
    expect(retryDelayMs(10, policy, 1)).toBe(10_000);
    expect(retryDelayMs(10, policy, 0)).toBe(5_000);
  });

  it("retries a passing failure later and keeps the reason", () => {
    const change = deliveryFailed(
      queued(1),
      { message: "451 try later", permanent: false },
      {},
      policy,
      now,
      1,
    );
    expect(change.delivery).toMatchObject({ state: "queued", lastError: "451 try later" });
    expect(change.delivery.nextAttemptTime.getTime() - now.getTime()).toBe(1000);
    expect(change.events).toEqual([]);
  });

  it("dead-letters after the last allowed attempt and says so in an event", () => {
    const change = deliveryFailed(
      queued(3),
      { message: "451 try later", permanent: false },
      {},
      policy,
      now,
      0.5,
    );
    expect(change.delivery.state).toBe("dead_letter");
    expect(change.events.map((e) => e.type.typeName)).toEqual([
      "shopmesh.notification.v1.DeliveryDeadLettered",
    ]);
  });

  it("fails at once when the message cannot be sent at all", () => {
    const change = deliveryFailed(
      queued(1),
      { message: "no email address", permanent: true },
      {},
      policy,
      now,
      0,
    );
    expect(change.delivery.state).toBe("failed");
  });

  it("records the sent message", () => {
    const change = deliverySent(
      queued(1),
      { recipient: "a@b.test", locale: "de", subject: "Hallo" },
      "<x@y>",
      now,
    );
    expect(change.delivery).toMatchObject({
      state: "sent",
      recipient: "a@b.test",
      providerMessageId: "<x@y>",
      sentTime: now,
    });
  });

  it("re-drives dead letters with fresh attempts, and nothing else", () => {
    const dead = deliveryFailed(
      queued(3),
      { message: "down", permanent: false },
      {},
      policy,
      now,
      0,
    ).delivery;
    const again = redriveDelivery(dead, now).delivery;
    expect(again).toMatchObject({ state: "queued", attempts: 0, redriveCount: 1, lastError: "down" });
    expect(() => redriveDelivery(again, now)).toThrow(/only dead letters/);
  });
});
