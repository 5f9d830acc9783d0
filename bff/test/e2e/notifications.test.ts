import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedOrder } from "../../../services/notification/test/orders-fixture.ts";
import {
  NOTIFY_ADMIN,
  type NotificationPlatform,
  openStream,
  type SseStream,
  startNotificationPlatform,
} from "../support/notification.ts";

/**
 * The notification routes end to end: real identity, notification (sending to a local SMTP
 * capture) and two BFF replicas built by createBff, which share nothing but NATS.
 */

let platform: NotificationPlatform;
let a: string;
let b: string;
const streams: SseStream[] = [];

beforeAll(async () => {
  platform = await startNotificationPlatform(2);
  a = platform.replicas[0]!.url;
  b = platform.replicas[1]!.url;
}, 90_000);

afterAll(async () => {
  for (const stream of streams) stream.close();
  await platform?.stop();
});

let users = 0;
async function customer() {
  users++;
  return platform.signUp(`n${users}-${Date.now().toString(36)}@example.test`);
}

/** Confirms an order for the user, as the order service announces it. */
async function confirmOrder(userId: string) {
  const order = confirmedOrder(userId);
  await platform.notification.publish("order", OrderConfirmedSchema, { order }, order.id);
  return order;
}

async function stream(base: string, token: string, lastEventId?: string, surface = "/api/v1") {
  const opened = await openStream(`${base}${surface}/notifications/stream`, token, lastEventId);
  streams.push(opened);
  return opened;
}

const ready = (s: SseStream) => s.next((e) => e.event === "ready");

async function api(base: string, path: string, token: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, {
    ...init,
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}

describe("live notifications across BFF replicas", () => {
  it("reaches the user's streams on every replica, and never another user's", async () => {
    const ada = await customer();
    const bob = await customer();
    const adaOnA = await stream(a, ada.token);
    const adaOnB = await stream(b, ada.token, undefined, "/mobile/v1");
    const bobOnB = await stream(b, bob.token);
    for (const s of [adaOnA, adaOnB, bobOnB]) {
      expect(s.status).toBe(200);
      await ready(s);
    }

    const order = await confirmOrder(ada.userId);
    const reference = order.id.replace(/-/g, "").slice(-8).toUpperCase();
    const onA = await adaOnA.next((e) => e.event === "notification" && e.data.includes(reference));
    const onB = await adaOnB.next((e) => e.event === "notification" && e.data.includes(reference));
    expect(onA.id).toBe(onB.id);
    expect(JSON.parse(onA.data)).toMatchObject({
      id: onA.id,
      type: "order_confirmed",
      category: "orders",
      title: `Order ${reference} confirmed`,
      link: `/orders/${order.id}`,
      read: false,
    });

    // Bob's stream on the replica that also carries Ada's stream hears nothing of it...
    const bobOrder = await confirmOrder(bob.userId);
    const bobReference = bobOrder.id.replace(/-/g, "").slice(-8).toUpperCase();
    await bobOnB.next((e) => e.event === "notification" && e.data.includes(bobReference));
    const titles = (s: SseStream) => s.notifications().map((n) => n.title);
    expect(titles(bobOnB)).toContain(`Order ${bobReference} confirmed`);
    expect(titles(bobOnB).join()).not.toContain(reference);
    // ...and Ada's streams hear nothing of Bob's.
    await waitFor(() => platform.notification.smtp.mails.some((m) => m.subject.includes(bobReference)));
    for (const s of [adaOnA, adaOnB]) {
      expect(titles(s)).toContain(`Order ${reference} confirmed`);
      expect(s.events.map((e) => e.data).join()).not.toContain(bobReference);
    }
    await waitFor(() => bobOnB.comments > 0, { message: "a heartbeat" });

    // Reading it on one device tells the other.
    const read = await api(a, `/api/v1/notifications/${onA.id}/read`, ada.token, { method: "POST" });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: onA.id, read: true });
    const readEvent = await adaOnB.next((e) => e.event === "read");
    expect(JSON.parse(readEvent.data)).toMatchObject({ id: onA.id });
  });

  it("replays what a reconnecting client missed, from its Last-Event-ID, then goes on live", async () => {
    const ada = await customer();
    const feed = platform.replicas[0]!.bff.deps.notificationFeed;
    const before = feed.size();
    const first = await stream(a, ada.token);
    await ready(first);
    await confirmOrder(ada.userId);
    const seen = await first.next((e) => e.event === "notification" && e.data.includes("order_confirmed"));
    first.close();
    await waitFor(() => feed.size() === before, { message: "the first stream to end" });

    const missed = [await confirmOrder(ada.userId), await confirmOrder(ada.userId)];
    const inbox = await waitFor(async () => {
      const body = (await (await api(a, "/api/v1/notifications", ada.token)).json()) as {
        notifications: { id: string; title: string }[];
      };
      return body.notifications.length === 4 && body;
    });

    const again = await stream(b, ada.token, seen.id);
    const hello = await ready(again);
    const replayed = again.notifications();
    const references = missed.map((o) => o.id.replace(/-/g, "").slice(-8).toUpperCase());
    // The two missed ones, oldest first (the order consumer may have made them in either order).
    expect(replayed.map((n) => n.title).sort()).toEqual(references.map((r) => `Order ${r} confirmed`).sort());
    expect(replayed.map((n) => n.id)).toEqual(
      inbox.notifications
        .slice(0, 2)
        .map((n) => n.id)
        .reverse(),
    );
    expect(JSON.parse(hello.data).unreadCount).toBe(4);

    const live = await confirmOrder(ada.userId);
    const liveReference = live.id.replace(/-/g, "").slice(-8).toUpperCase();
    await again.next((e) => e.event === "notification" && e.data.includes(liveReference));
    expect(again.notifications()).toHaveLength(3);
  });

  it("lets go of a stream when its client leaves", async () => {
    const ada = await customer();
    const feed = platform.replicas[1]!.bff.deps.notificationFeed;
    const before = feed.size();
    const s = await stream(b, ada.token);
    await ready(s);
    expect(feed.size()).toBe(before + 1);
    s.close();
    await waitFor(() => feed.size() === before, { message: "the subscription to end" });
  });

  it("refuses anonymous streams and a malformed Last-Event-ID", async () => {
    const anonymous = await fetch(`${a}/api/v1/notifications/stream`);
    expect(anonymous.status).toBe(401);
    const ada = await customer();
    const bad = await stream(a, ada.token, "not-an-id");
    expect(bad.status).toBe(400);
  });
});

describe("inbox and preferences", () => {
  it("pages the inbox and marks notifications read, on web and mobile", async () => {
    const ada = await customer();
    for (let i = 0; i < 3; i++) await confirmOrder(ada.userId);
    // Notifications committed out of id order can be missed by a page read at that moment: wait
    // until all four are in before paging.
    await waitFor(async () => {
      const body = (await (await api(a, "/api/v1/notifications", ada.token)).json()) as {
        notifications: unknown[];
      };
      return body.notifications.length === 4;
    });
    const all = (await (await api(a, "/api/v1/notifications?pageSize=2", ada.token)).json()) as {
      notifications: { id: string; type: string }[];
      unreadCount: number;
      nextPageToken?: string;
    };
    expect(all.unreadCount).toBe(4);
    expect(all.notifications).toHaveLength(2);
    const rest = (await (
      await api(b, `/mobile/v1/notifications?pageSize=2&pageToken=${all.nextPageToken}`, ada.token)
    ).json()) as { notifications: { type: string }[]; nextPageToken?: string };
    expect(rest.notifications.map((n) => n.type)).toEqual(["order_confirmed", "welcome"]);
    expect(rest.nextPageToken).toBeUndefined();

    await api(a, `/api/v1/notifications/${all.notifications[0]!.id}/read`, ada.token, { method: "POST" });
    const unread = (await (await api(a, "/api/v1/notifications?unreadOnly=true", ada.token)).json()) as {
      notifications: unknown[];
      unreadCount: number;
    };
    expect(unread.unreadCount).toBe(3);
    expect(unread.notifications).toHaveLength(3);

    const bob = await customer();
    const foreign = await api(a, `/api/v1/notifications/${all.notifications[1]!.id}/read`, bob.token, {
      method: "POST",
    });
    expect(foreign.status).toBe(404);
  });

  it("reads and changes preferences, keeping transactional email on", async () => {
    const ada = await customer();
    const path = "/api/v1/me/notification-preferences";
    const current = (await (await api(a, path, ada.token)).json()) as {
      settings: { category: string; channel: string; enabled: boolean; locked: boolean }[];
    };
    expect(current.settings).toContainEqual({
      category: "orders",
      channel: "email",
      enabled: true,
      locked: true,
    });
    expect(current.settings).toContainEqual({
      category: "marketing",
      channel: "email",
      enabled: false,
      locked: false,
    });

    const refused = await api(a, path, ada.token, {
      method: "PUT",
      json: { settings: [{ category: "orders", channel: "email", enabled: false }] },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: unknown }).errors).toEqual([
      { field: "settings[0].enabled", message: "orders email is transactional and always sent" },
    ]);

    const bad = await api(a, path, ada.token, { method: "PUT", json: { settings: [{ category: "spam" }] } });
    expect(bad.status).toBe(400);

    const changed = await api(b, "/mobile/v1/me/notification-preferences", ada.token, {
      method: "PUT",
      json: { settings: [{ category: "marketing", channel: "email", enabled: true }] },
    });
    expect(changed.status).toBe(200);
    const body = (await changed.json()) as {
      settings: { category: string; channel: string; enabled: boolean }[];
      updateTime?: string;
    };
    expect(body.settings).toContainEqual({
      category: "marketing",
      channel: "email",
      enabled: true,
      locked: false,
    });
    expect(body.updateTime).toBeDefined();
  });
});

describe("admin deliveries", () => {
  it("lists dead letters and re-drives them, for admins only", async () => {
    const admin = await platform.login(NOTIFY_ADMIN.email, NOTIFY_ADMIN.password);
    const ada = await customer();
    const smtp = platform.notification.smtp;
    smtp.setMode({ accept: false, code: 451, message: "try again later" });
    let deadId: string;
    try {
      await confirmOrder(ada.userId);
      const dead = await waitFor(
        async () => {
          const res = await api(
            a,
            `/admin/v1/notification-deliveries?state=dead_letter&userId=${ada.userId}`,
            admin,
          );
          const body = (await res.json()) as {
            deliveries: { id: string; attempts: number; lastError: string; channel: string }[];
          };
          return body.deliveries[0];
        },
        { timeoutMs: 10_000, message: "the dead letter" },
      );
      expect(dead).toMatchObject({ attempts: 3, channel: "email" });
      expect(dead.lastError).toContain("451");
      deadId = dead.id;
    } finally {
      smtp.setMode({ accept: true });
    }
    const forbidden = await api(a, `/admin/v1/notification-deliveries/${deadId}/redrive`, ada.token, {
      method: "POST",
    });
    expect(forbidden.status).toBe(403);
    const redriven = await api(b, `/admin/v1/notification-deliveries/${deadId}/redrive`, admin, {
      method: "POST",
    });
    expect(redriven.status).toBe(200);
    expect(await redriven.json()).toMatchObject({ id: deadId, state: "queued", redriveCount: 1 });
    await waitFor(async () => {
      const res = await api(a, `/admin/v1/notification-deliveries/${deadId}`, admin);
      return ((await res.json()) as { state: string }).state === "sent";
    });
    const again = await api(a, `/admin/v1/notification-deliveries/${deadId}/redrive`, admin, {
      method: "POST",
    });
    expect(again.status).toBe(422);
  });
});
