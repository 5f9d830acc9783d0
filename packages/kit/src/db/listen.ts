import { type PgClient, type PgPool, quoteIdent } from "./pg.ts";

export interface ListenOptions {
  /** Called for each NOTIFY on the channel, with its payload ("" when none). */
  onNotify(payload: string): void;
  /**
   * Called after every (re)connect once LISTEN is in place. Notifications sent while the session
   * was down are lost, so callers catch up here (the outbox relay flushes).
   */
  onConnect?(): void;
  onError?(err: Error): void;
  /** Delay before reconnecting a dropped session; default 1000 ms. */
  reconnectMs?: number;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` on a session of its own (not from the pool: LISTEN needs a session that
 * stays open, and it must not eat a pool slot), reconnecting if the session drops.
 */
export async function listen(pool: PgPool, channel: string, options: ListenOptions): Promise<Listener> {
  const reconnectMs = options.reconnectMs ?? 1000;
  let client: PgClient | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const drop = (dead: PgClient) => {
    if (client !== dead) return;
    client = undefined;
    dead.end().catch(() => undefined);
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((err: Error) => {
        options.onError?.(err);
        schedule();
      });
    }, reconnectMs);
    timer.unref();
  };

  const connect = async () => {
    const next = new pool.Client(pool.options);
    next.on("notification", (message) => {
      if (message.channel === channel) options.onNotify(message.payload ?? "");
    });
    next.on("error", (err) => {
      options.onError?.(err);
      drop(next);
    });
    next.on("end", () => drop(next));
    try {
      await next.connect();
      await next.query(`listen ${quoteIdent(channel)}`);
    } catch (err) {
      next.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    options.onConnect?.();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
