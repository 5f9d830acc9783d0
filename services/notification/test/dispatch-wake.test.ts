import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { Channel, DeliveryState } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { id, startNotification, type TestNotification } from "./support.ts";

/**
 * The dispatcher hears of the deliveries its own process commits (new ones and re-driven ones)
 * and sends them at once: here its scan runs only every ten minutes, so every mail below that
 * arrives within seconds was woken by the commit, not found by the scan.
 */

let t: TestNotification;

beforeAll(async () => {
  t = await startNotification({ env: { DISPATCH_POLL_MS: "600000", DELIVERY_MAX_ATTEMPTS: "1" } });
});

afterAll(async () => {
  await t?.stop();
});

async function register(): Promise<{ userId: string; email: string }> {
  const userId = id();
  const email = `w-${userId.slice(-12)}@example.test`;
  await t.publish(
    "identity",
    UserRegisteredSchema,
    { userId, email, displayName: "Ada Lovelace", locale: "en" },
    userId,
  );
  return { userId, email };
}

describe("dispatcher wake-up", () => {
  it("sends a delivery queued by this process at once, long before its scan", async () => {
    const started = Date.now();
    const { email } = await register();
    await waitFor(() => t.smtp.to(email).length > 0, { timeoutMs: 5000, message: "the welcome mail" });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("sends a re-driven dead letter at once", async () => {
    t.smtp.setMode({ accept: false, code: 451, message: "4.3.0 mailbox temporarily unavailable" });
    const admin = await t.as(id(), ["admin"]);
    let userId = "";
    let email = "";
    try {
      ({ userId, email } = await register());
      const dead = await waitFor(
        async () => {
          const { deliveries } = await t.client.listDeliveries({ userId, channel: Channel.EMAIL }, admin);
          const [delivery] = deliveries;
          return delivery && delivery.state !== DeliveryState.QUEUED && delivery;
        },
        { timeoutMs: 5000, message: "the failed welcome mail" },
      );
      expect(dead.state).toBe(DeliveryState.DEAD_LETTER);
      expect(t.smtp.to(email)).toEqual([]);
      t.smtp.setMode({ accept: true });
      const started = Date.now();
      await t.client.redriveDelivery({ deliveryId: dead.id }, admin);
      await waitFor(() => t.smtp.to(email).length === 1, { timeoutMs: 5000, message: "the re-driven mail" });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      t.smtp.setMode({ accept: true });
    }
  });
});
