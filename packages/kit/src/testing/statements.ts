import type { PgPool } from "../db/pg.ts";

/** One statement a pool's session sent: its text, bound values and, when prepared, its name. */
export interface SentStatement {
  text: string;
  values: readonly unknown[] | undefined;
  name?: string;
}

/** Records the statements the sessions of one pool send, for tests that count round trips. */
export interface StatementRecorder {
  /** The statements `call` made the pool send (BEGIN and COMMIT included), in order. */
  during(call: () => Promise<unknown>): Promise<SentStatement[]>;
  /** Stops recording for good (puts the driver back). */
  restore(): void;
}

type Query = (this: unknown, ...args: unknown[]) => unknown;
/** The part of pg.Pool's events used here (`acquire`: a session is handed out). */
type PoolEvents = { on(event: "acquire", listener: (session: object) => void): void };

/**
 * Watches every query of the sessions `pool` hands out from now on (other pools on the same
 * driver, such as other services running in the test's process, are not counted): pg takes
 * query(text, values) or query({ name, text, values }); both are recorded.
 *
 *   const recorder = recordStatements(await db.pool());
 *   const sent = await recorder.during(() => client.reserve(...));
 *   expect(sent).toHaveLength(2);
 */
export function recordStatements(pool: PgPool): StatementRecorder {
  const sessions = new WeakSet<object>();
  (pool as unknown as PoolEvents).on("acquire", (session) => sessions.add(session));
  const prototype = pool.Client.prototype as { query: Query };
  const original = prototype.query;
  let sent: SentStatement[] | undefined;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    if (sent && sessions.has(this as object)) {
      const [first, second] = args as [unknown, unknown];
      const config = typeof first === "string" ? { text: first, values: second } : (first as object);
      const { text, values, name } = config as { text?: string; values?: readonly unknown[]; name?: string };
      sent.push({ text: text ?? "", values, ...(name !== undefined ? { name } : {}) });
    }
    return original.apply(this, args);
  };
  return {
    async during(call) {
      const mine: SentStatement[] = [];
      sent = mine;
      try {
        await call();
      } finally {
        sent = undefined;
      }
      return mine;
    },
    restore() {
      prototype.query = original;
    },
  };
}

/** Statements one per line, shortened, for a readable failure message. */
export function statementSummary(statements: readonly { text: string }[], width = 100): string {
  return statements.map((s) => s.text.replace(/\s+/g, " ").trim().slice(0, width)).join("\n");
}
