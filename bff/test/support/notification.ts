import { createLogger } from "@shopmesh/kit/log";
import {
  createTestDatabase,
  deleteRedisPrefix,
  deleteStreams,
  type TestDatabase,
  testPrefix,
  waitFor,
} from "@shopmesh/kit/testing";
import { startNotification, type TestNotification } from "../../../services/notification/test/support.ts";
import { type Bff, createBff } from "../../src/compose.ts";
import { loadBffConfig } from "../../src/config.ts";
import { type RunningIdentity, startTestIdentity } from "./identity.ts";

export const NOTIFY_ADMIN = { email: "admin@notify.test", password: "notify-admin-password-1" };
const SERVICE_SECRET = "bff-notification-service-secret";

/** One BFF replica, listening on a port of its own. */
export interface Replica {
  bff: Bff;
  url: string;
}

/**
 * identity and notification (with its SMTP capture) on one database and event prefix, and as
 * many BFF replicas as asked for, each built by compose.ts's createBff and listening on its own
 * port: they share nothing but NATS, like replicas behind a load balancer.
 */
export interface NotificationPlatform {
  identity: RunningIdentity;
  notification: TestNotification;
  replicas: Replica[];
  /** Registers and signs in a customer through the first replica; answers the user id and access token. */
  signUp(email: string): Promise<{ userId: string; token: string }>;
  login(email: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startNotificationPlatform(replicas = 2): Promise<NotificationPlatform> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const identity = await startTestIdentity({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    SHOPMESH_ADMIN_EMAIL: NOTIFY_ADMIN.email,
    SHOPMESH_ADMIN_PASSWORD: NOTIFY_ADMIN.password,
  });
  const notification = await startNotification({
    shared: { databaseUrl: database.url, prefix },
    env: { IDENTITY_ADDRESS: identity.address, SERVICE_TOKEN_SECRET: SERVICE_SECRET },
    options: { jwks: undefined },
  });
  const started: Replica[] = [];
  for (let i = 0; i < replicas; i++) {
    const bff = createBff(
      loadBffConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        IDENTITY_ADDRESS: identity.address,
        NOTIFICATION_ADDRESS: notification.address,
        EVENTS_PREFIX: prefix,
        RATE_LIMIT_PREFIX: `${prefix}:rl${i}:`,
        RATE_LIMIT_LIMIT: "10000",
        RATE_LIMIT_AUTH_LIMIT: "10000",
        SSE_HEARTBEAT_MS: "250",
      }),
      createLogger({ service: `bff-${i}`, level: "silent" }),
    );
    const port = await bff.listen();
    started.push({ bff, url: `http://127.0.0.1:${port}` });
  }
  const first = started[0]!;

  async function login(email: string, password: string): Promise<string> {
    const res = await fetch(`${first.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  return {
    identity,
    notification,
    replicas: started,
    login,
    async signUp(email) {
      const password = "a-long-enough-password";
      const res = await fetch(`${first.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password, displayName: email.split("@")[0] }),
      });
      if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${await res.text()}`);
      const userId = ((await res.json()) as { user: { id: string } }).user.id;
      const token = await login(email, password);
      // identity's stream and the order stream are consumed independently: wait for this user, and
      // for the welcome notification to be out, so it does not turn up in a stream opened next.
      await waitFor(
        async () =>
          (
            await notification.notification.db.execute(
              "select 1 from outbox_events where aggregate_id = ? and published_at is not null",
              [userId],
            )
          ).length > 0,
        { message: `${email} welcomed by notification` },
      );
      return { userId, token };
    },
    async stop() {
      for (const replica of started) await replica.bff.close();
      await notification.stop();
      await identity.close();
      // The replicas' rate-limit counters (`<prefix>:rl<i>:*`).
      await deleteRedisPrefix(`${prefix}:`).catch(() => undefined);
      await deleteStreams(prefix).catch(() => undefined);
      await database.drop();
    },
  };
}

/** One Server-Sent Event as a client parses it. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A live notification stream read the way EventSource reads it. */
export interface SseStream {
  status: number;
  events: SseEvent[];
  /** Comment lines seen (heartbeats). */
  comments: number;
  /** Resolves with the first event (from the start) that satisfies `match`. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** The notification events, parsed. */
  notifications(): { id: string; title: string; [key: string]: unknown }[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `<url>` as an SSE stream with the token (and Last-Event-ID when given). */
export async function openStream(url: string, token: string, lastEventId?: string): Promise<SseStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const res = await fetch(url, { headers, signal: abort.signal });
  const stream: SseStream = {
    status: res.status,
    events: [],
    comments: 0,
    async next(match, timeoutMs = 10_000) {
      return waitFor(() => stream.events.find(match), { timeoutMs, intervalMs: 10, message: "an SSE event" });
    },
    notifications() {
      return stream.events.filter((e) => e.event === "notification").map((e) => JSON.parse(e.data));
    },
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (!res.ok || !res.body) return stream;
  stream.ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: "message", data: "" };
          const data: string[] = [];
          let fields = 0;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) {
              stream.comments++;
              continue;
            }
            const colon = line.indexOf(":");
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (name === "event") event.event = value;
            else if (name === "id") event.id = value;
            else if (name === "data") data.push(value);
            else continue;
            fields++;
          }
          if (fields > 0 && data.length > 0) stream.events.push({ ...event, data: data.join("\n") });
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // Aborted by close(): the stream is over.
    }
  })();
  return stream;
}
