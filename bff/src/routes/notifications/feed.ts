import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  InAppNotificationCreatedSchema,
  NotificationReadSchema,
} from "@shopmesh/contracts/shopmesh/notification/v1/events_pb";
import type { Notification } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { eventSubject, type NatsConnection, readEnvelope } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";

/** What a user's live stream hears. */
export type FeedEvent =
  | { kind: "created"; notification: Notification }
  | { kind: "read"; notificationId: string; readTime: Date | undefined };

export interface FeedSubscriber {
  onEvent(event: FeedEvent): void;
  /**
   * The feed lost NATS (or is closing): events may have been missed. The stream should end so
   * the client reconnects with Last-Event-ID and catches up from the notification service.
   */
  onInterrupted(): void;
}

/**
 * The notification events of every user, for this BFF process. One NATS subscription per event
 * subject serves every open stream of the process: messages are routed by their ce-subject (the
 * user id) to the local subscribers of that user, and decoded only when there is one. Every BFF
 * replica subscribes the same way (plain NATS subscriptions fan out: each replica gets every
 * message), so a notification reaches the user wherever their stream is connected.
 */
export interface NotificationFeed {
  /**
   * Starts passing `userId`'s events to `subscriber`; resolves with the function that stops it.
   * Rejects when NATS cannot be reached.
   */
  subscribe(userId: string, subscriber: FeedSubscriber): Promise<() => void>;
  /** Open subscriptions in this process (for tests and metrics). */
  size(): number;
  /** Interrupts every subscriber and closes the NATS connection. */
  close(): Promise<void>;
}

export interface NotificationFeedOptions {
  /** Opens the NATS connection; called on the first subscribe (and again after a failure). */
  connect(): Promise<NatsConnection>;
  /** EVENTS_PREFIX of the platform. */
  prefix: string;
  logger: Logger;
}

export function createNotificationFeed(options: NotificationFeedOptions): NotificationFeed {
  const subscribers = new Map<string, Set<FeedSubscriber>>();
  const log = options.logger.child({ component: "notification-feed" });
  let connection: Promise<NatsConnection> | undefined;
  let closed = false;
  // Between a disconnect and the reconnect nothing arrives: new streams are refused (503, the
  // client retries) rather than opened deaf.
  let offline = false;

  const interruptAll = () => {
    for (const set of subscribers.values()) for (const subscriber of set) subscriber.onInterrupted();
  };

  const dispatch = (userId: string | undefined, event: () => FeedEvent) => {
    const set = userId ? subscribers.get(userId) : undefined;
    if (!set || set.size === 0) return;
    let decoded: FeedEvent;
    try {
      decoded = event();
    } catch (error) {
      log.warn({ err: error }, "undecodable notification event skipped");
      return;
    }
    for (const subscriber of set) subscriber.onEvent(decoded);
  };

  async function open(): Promise<NatsConnection> {
    const nc = await options.connect();
    const created = eventSubject(options.prefix, "notification", InAppNotificationCreatedSchema);
    const read = eventSubject(options.prefix, "notification", NotificationReadSchema);
    nc.subscribe(created, {
      callback: (error, msg) => {
        if (error) return;
        dispatch(readEnvelope(msg.headers).subject, () => {
          const { notification } = fromBinary(InAppNotificationCreatedSchema, msg.data);
          if (!notification) throw new Error("InAppNotificationCreated without a notification");
          return { kind: "created", notification };
        });
      },
    });
    nc.subscribe(read, {
      callback: (error, msg) => {
        if (error) return;
        dispatch(readEnvelope(msg.headers).subject, () => {
          const data = fromBinary(NotificationReadSchema, msg.data);
          const readTime = data.readTime ? timestampDate(data.readTime) : undefined;
          return { kind: "read", notificationId: data.notificationId, readTime };
        });
      },
    });
    // Plain subscriptions miss what is published while the connection is down: end the streams
    // so their clients come back with Last-Event-ID and replay from the service.
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") {
          offline = true;
          log.warn("NATS disconnected; ending live notification streams so clients catch up");
          interruptAll();
        } else if (status.type === "reconnect") {
          offline = false;
        }
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      if (connection && !closed) connection = undefined;
    });
    return nc;
  }

  return {
    async subscribe(userId, subscriber) {
      if (closed) throw new Error("the notification feed is closed");
      connection ??= open().catch((error: unknown) => {
        connection = undefined;
        throw error;
      });
      await connection;
      if (offline) throw new Error("NATS is disconnected");
      let set = subscribers.get(userId);
      if (!set) {
        set = new Set();
        subscribers.set(userId, set);
      }
      set.add(subscriber);
      return () => {
        const current = subscribers.get(userId);
        current?.delete(subscriber);
        if (current?.size === 0) subscribers.delete(userId);
      };
    },
    size() {
      let total = 0;
      for (const set of subscribers.values()) total += set.size;
      return total;
    },
    async close() {
      closed = true;
      interruptAll();
      subscribers.clear();
      const pending = connection;
      connection = undefined;
      const nc = await pending?.catch(() => undefined);
      await nc?.close();
    },
  };
}
