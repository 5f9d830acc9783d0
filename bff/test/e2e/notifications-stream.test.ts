import { serve } from "@hono/node-server";
import { NotificationService } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { connectNats } from "@shopmesh/kit/events";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedOrder } from "../../../services/notification/test/orders-fixture.ts";
import { startNotification, type TestNotification } from "../../../services/notification/test/support.ts";
import { createApp } from "../../src/app.ts";
import type { BffDeps } from "../../src/deps.ts";
import { createNotificationFeed } from "../../src/routes/notifications/feed.ts";
import { createTestBff, type TestBff } from "../support/deps.ts";
import { openStream } from "../support/notification.ts";

/**
 * The live stream's edges, on a BFF built from test deps (its own signing keys, which the
 * notification service trusts): what happens when NATS or the notification service is missing,
 * heartbeats, and the end of a stream when its access token expires.
 */

const USER = "0193a0c4-0000-7000-8000-00000000e001";
let t: TestNotification;
const bffs: TestBff[] = [];
const servers: { close(): void }[] = [];

beforeAll(async () => {
  const keys = await createTestBff();
  bffs.push(keys);
  t = await startNotification({ options: { jwks: async () => keys.keys.jwks } });
  await t.recipient({ userId: USER, email: "stream@example.test", name: "Stream", locale: "en" });
}, 60_000);

afterAll(async () => {
  for (const server of servers) server.close();
  for (const bff of bffs) {
    await bff.deps.notificationFeed.close();
    await bff.cleanup();
  }
  await t?.stop();
});

/** A BFF on a free port, from test deps with these overrides; signs with the first BFF's keys. */
async function start(overrides: (deps: BffDeps) => Partial<BffDeps>, env: Record<string, string> = {}) {
  const keys = bffs[0]!;
  const bff = await createTestBff({ SSE_HEARTBEAT_MS: "100", ...env });
  bffs.push(bff);
  Object.assign(bff.deps, { verifier: keys.deps.verifier, jwks: keys.deps.jwks }, overrides(bff.deps));
  const app = createApp(bff.deps);
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    servers.push(server);
  });
  return `http://127.0.0.1:${port}/api/v1/notifications/stream`;
}

const liveFeed = (deps: BffDeps) =>
  createNotificationFeed({
    connect: () => connectNats({ url: "nats://127.0.0.1:4222", name: "bff-test" }),
    prefix: t.prefix,
    logger: deps.logger,
  });
const notificationClient = () => createRpcClient(NotificationService, { address: t.address });

describe("live stream edges", () => {
  it("answers 503 when NATS cannot be reached, before opening a stream", async () => {
    // The test deps' feed has no NATS.
    const url = await start(() => ({ notification: notificationClient() }));
    const token = await bffs[0]!.keys.sign({ userId: USER });
    const stream = await openStream(url, token);
    expect(stream.status).toBe(503);
  });

  it("answers 503 when the notification service is down, before opening a stream", async () => {
    const url = await start((deps) => ({ notificationFeed: liveFeed(deps) }));
    const token = await bffs[0]!.keys.sign({ userId: USER });
    const stream = await openStream(url, token);
    expect(stream.status).toBe(503);
  });

  it("keeps the stream open with heartbeats and ends it when the access token expires", async () => {
    const url = await start((deps) => ({
      notificationFeed: liveFeed(deps),
      notification: notificationClient(),
    }));
    const token = await bffs[0]!.keys.sign({ userId: USER, expiresIn: "3s" });
    const stream = await openStream(url, token);
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === "ready");
    const order = confirmedOrder(USER);
    await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    await stream.next((e) => e.event === "notification");
    await stream.ended;
    expect(stream.comments).toBeGreaterThan(2);
    // The client comes back with a fresh token and its Last-Event-ID and misses nothing.
    const last = stream.events.filter((e) => e.event === "notification").at(-1)!;
    const again = await openStream(url, await bffs[0]!.keys.sign({ userId: USER }), last.id);
    await again.next((e) => e.event === "ready");
    expect(again.notifications()).toEqual([]);
    again.close();
  }, 15_000);
});
