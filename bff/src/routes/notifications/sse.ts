import { createRoute, z } from "@hono/zod-openapi";
import type { Notification } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { callContext } from "../../call-context.ts";
import type { BffDeps } from "../../deps.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { currentUser } from "../../middleware/auth/index.ts";
import { bearerSecurity, type SurfaceApp } from "../types.ts";
import type { FeedEvent } from "./feed.ts";
import { notificationJson } from "./mappers.ts";
import { StreamQuerySchema } from "./schemas.ts";

/** How long a client waits before reconnecting (the SSE `retry` field). */
const RETRY_MS = 3_000;
/** Notifications per catch-up call. */
const REPLAY_PAGE = 100;
/** At most this many missed notifications are replayed; beyond, `ready` says replayTruncated. */
const MAX_REPLAY = 1_000;
/** Ids remembered to drop a notification both replayed and received live. */
const SENT_MEMORY = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET <prefix>/notifications/stream`: the signed-in user's notifications as Server-Sent Events.
 *
 * - `event: notification`, `id: <notification id>`, `data: <Notification JSON>` for each new one;
 * - `event: read`, `data: {"id", "readTime"}` when one is read on another device;
 * - `event: ready`, `data: {"unreadCount"}` once the stream is live (after any catch-up; with
 *   `"replayTruncated": true` when more than MAX_REPLAY were missed: reload the inbox then);
 * - a `: ping` comment every SSE_HEARTBEAT_MS, so proxies keep the connection open.
 *
 * A client that reconnects sends `Last-Event-ID` (browsers' EventSource does it by itself; or
 * `?lastEventId=`): what was created after that notification is replayed from the notification
 * service first (ids are UUIDv7, so "after" is "later"), then live events follow. The live
 * subscription starts before the replay and its events are held until the replay is out, so
 * nothing falls between the two; one that comes both ways is sent once.
 *
 * The stream ends when the access token expires (the client reconnects with a fresh one, and
 * catches up) and when this BFF loses NATS (events may have been missed: the client reconnects
 * and catches up). The token travels in the Authorization header: use a fetch-based EventSource
 * in browsers.
 */
export function registerNotificationStream(app: SurfaceApp, deps: BffDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/notifications/stream",
      tags: ["Notifications"],
      summary: "My notifications, live (Server-Sent Events)",
      description:
        "Events `notification` (id = notification id), `read` and `ready`; `: ping` comments keep it open. " +
        "Reconnect with `Last-Event-ID` (or `lastEventId`) to get what was missed.",
      security: bearerSecurity,
      request: {
        query: StreamQuerySchema,
        headers: z.object({
          "last-event-id": z
            .string()
            .optional()
            .openapi({ description: "The id of the last notification seen" }),
        }),
      },
      responses: {
        200: {
          description: "The event stream",
          content: { "text/event-stream": { schema: z.string() } },
        },
        ...problemResponses(400, 401, 503),
      },
    }),
    // biome-ignore lint/suspicious/noExplicitAny: a stream is a Response, outside the typed JSON answers
    (async (c: Context) => openStream(c, deps)) as any,
  );
}

async function openStream(c: Context, deps: BffDeps): Promise<Response> {
  const user = currentUser(c);
  const lastEventId = c.req.header("last-event-id")?.trim() || c.req.query("lastEventId") || "";
  if (lastEventId && !UUID.test(lastEventId)) {
    throw new ProblemError({
      status: 400,
      code: "VALIDATION_FAILED",
      detail: "Last-Event-ID must be the id of a notification.",
      errors: [{ field: "lastEventId", message: "must be a notification id" }],
    });
  }
  const call = callContext(c);
  const heartbeatMs = deps.config.SSE_HEARTBEAT_MS;
  const expiresAt = tokenExpiry(c.req.header("authorization"));

  // Subscribed before anything is read, so an event created during the catch-up is not lost.
  const held: FeedEvent[] = [];
  let deliver: (event: FeedEvent) => void = (event) => held.push(event);
  // NATS may drop while the catch-up runs: the stream then ends as soon as it starts.
  let wasInterrupted = false;
  let interrupted: () => void = () => {
    wasInterrupted = true;
  };
  let unsubscribe: () => void;
  try {
    unsubscribe = await deps.notificationFeed.subscribe(user.userId, {
      onEvent: (event) => deliver(event),
      onInterrupted: () => interrupted(),
    });
  } catch (error) {
    deps.logger.warn({ err: error }, "notification feed unavailable");
    throw new ProblemError({
      status: 503,
      code: "UNAVAILABLE",
      detail: "Live notifications are unavailable right now; try again shortly.",
    });
  }

  // The catch-up is read before the answer starts, so a notification service that is down is a
  // 503 the client sees, not a stream that opens and dies.
  const replay: Notification[] = [];
  let unreadCount: number;
  let truncated = false;
  try {
    if (lastEventId) {
      let after = lastEventId;
      let page: Awaited<ReturnType<typeof deps.notification.listNotifications>>;
      do {
        page = await deps.notification.listNotifications({ afterId: after, pageSize: REPLAY_PAGE }, { call });
        replay.push(...page.notifications);
        after = page.notifications.at(-1)?.id ?? after;
      } while (page.notifications.length === REPLAY_PAGE && replay.length < MAX_REPLAY);
      truncated = page.notifications.length === REPLAY_PAGE;
      unreadCount = page.unreadCount;
    } else {
      unreadCount = (await deps.notification.listNotifications({ pageSize: 1 }, { call })).unreadCount;
    }
  } catch (error) {
    unsubscribe();
    throw error;
  }

  c.header("Cache-Control", "no-store, no-transform");
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    const sent = new Set<string>();
    const remember = (id: string) => {
      sent.add(id);
      if (sent.size > SENT_MEMORY) sent.delete(sent.values().next().value as string);
    };
    // Writes go out one after another, in the order they were asked for.
    let writing: Promise<void> = Promise.resolve();
    let finish: () => void = () => undefined;
    const write = (message: { event?: string; id?: string; data: string }) => {
      writing = writing.then(() => stream.writeSSE(message)).catch(() => finish());
      return writing;
    };
    const sendNotification = (notification: Notification) => {
      if (sent.has(notification.id)) return;
      remember(notification.id);
      void write({
        event: "notification",
        id: notification.id,
        data: JSON.stringify(notificationJson(notification)),
      });
    };
    const send = (event: FeedEvent) => {
      if (event.kind === "created") sendNotification(event.notification);
      else {
        void write({
          event: "read",
          data: JSON.stringify({ id: event.notificationId, readTime: event.readTime?.toISOString() }),
        });
      }
    };

    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    stream.onAbort(() => finish());
    interrupted = () => finish();
    if (wasInterrupted) finish();
    // setTimeout takes at most 2^31-1 ms; access tokens live minutes.
    const expiry =
      expiresAt !== undefined
        ? setTimeout(() => finish(), Math.min(2 ** 31 - 1, Math.max(0, expiresAt - Date.now())))
        : undefined;
    const heartbeat = setInterval(() => {
      writing = writing
        .then(() => stream.write(": ping\n\n"))
        .then(
          () => undefined,
          () => finish(),
        );
    }, heartbeatMs);

    try {
      await stream.write(`retry: ${RETRY_MS}\n\n`);
      for (const notification of replay) sendNotification(notification);
      for (const event of held.splice(0)) send(event);
      deliver = send;
      await write({
        event: "ready",
        data: JSON.stringify({ unreadCount, ...(truncated ? { replayTruncated: true } : {}) }),
      });
      await done;
    } finally {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
    }
  });
}

/** When the (already verified) access token expires, from its `exp` claim; undefined if unreadable. */
function tokenExpiry(authorization: string | undefined): number | undefined {
  const payload = authorization?.split(" ")[1]?.split(".")[1];
  if (!payload) return undefined;
  try {
    const exp = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
