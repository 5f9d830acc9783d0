import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCheckout, type TestCheckout } from "./support.ts";

/**
 * PlaceOrder and its checkout saga are the order service's hot path: this test counts the
 * statements the order service sends to PostgreSQL for one checkout (every query of every session
 * of its pool, BEGIN and COMMIT included), so a change that adds round trips shows here rather
 * than only in the benchmark. The other services of the platform run in this process on the same
 * driver: only the sessions the order service's pool hands out are counted.
 */

let t: TestCheckout;
/** The statements the order service sent while `recording` is set. */
let sent: { text: string; values: readonly unknown[] | undefined }[] = [];
let recording = false;
let restore: () => void = () => undefined;

type Query = (this: unknown, ...args: unknown[]) => unknown;
/** The part of pg.Pool's events used here (`acquire`: a session is handed out). */
type PoolEvents = { on(event: "acquire", listener: (session: object) => void): void };

beforeAll(async () => {
  t = await startTestCheckout();
  const app = t.order!.app;
  // Background work would be counted too: the outbox stays unpublished, no event is consumed,
  // nothing is recovered.
  await Promise.all([app.relay.stop(), app.recovery.stop(), ...app.consumers.map((c) => c.stop())]);
  await t.product("RT-TEE", { priceMinor: 1999n, stock: 100, weightGrams: 200 });
  await t.product("RT-MUG", { priceMinor: 899n, stock: 100, weightGrams: 400 });

  const pool = await app.db.pool();
  const sessions = new WeakSet<object>();
  (pool as unknown as PoolEvents).on("acquire", (session) => sessions.add(session));
  const prototype = pool.Client.prototype as { query: Query };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    if (recording && sessions.has(this as object)) {
      // pg takes query(text, values) or query({ name, text, values }).
      const [first, second] = args as [unknown, unknown];
      const config = typeof first === "string" ? { text: first, values: second } : (first as object);
      const { text, values } = config as { text?: string; values?: readonly unknown[] };
      sent.push({ text: text ?? "", values });
    }
    return original.apply(this, args);
  };
  restore = () => {
    prototype.query = original;
  };
});

afterAll(async () => {
  restore();
  await t?.stop();
});

async function statementsOf(call: () => Promise<unknown>) {
  sent = [];
  recording = true;
  try {
    await call();
  } finally {
    recording = false;
  }
  return sent;
}

function summary(statements: { text: string }[]): string {
  return statements.map((s) => s.text.replace(/\s+/g, " ").trim().slice(0, 100)).join("\n");
}

describe("statements per checkout", () => {
  it("places an order and runs its whole saga in seven statements with bound parameters, none in a transaction", async () => {
    const ann = await t.customer();
    // Warm up: the first use of a pooled session prepares the statements.
    await t.fill(ann, [["RT-TEE", 1]]);
    await t.place(ann);

    await t.fill(ann, [
      ["RT-TEE", 2],
      ["RT-MUG", 1],
    ]);
    const request = t.request();
    let order: { id: string; status: OrderStatus } | undefined;
    const checkout = await statementsOf(async () => {
      order = (await t.client.placeOrder(request, ann.auth)).order;
    });
    expect(order?.status).toBe(OrderStatus.CONFIRMED);

    // Was 27 through the ORM (a transaction of 6 to place the order, a claim, one of 4 to 6 per
    // order change): the key's lookup; the order with its history, saga (leased to this
    // process: no claim) and OrderPlaced; quote, authorize and ship, each with its order change;
    // capture and commit, in the saga's row; confirm with its history and OrderConfirmed.
    expect(checkout, summary(checkout)).toHaveLength(7);
    const [lookup, place, ...steps] = checkout.map((statement) => statement.text);
    expect(lookup).toMatch(/^select [\s\S]* from orders where customer_id = \$1/);
    expect(place).toMatch(
      /insert into sagas[\s\S]*insert into order_history[\s\S]*insert into outbox_events/,
    );
    expect(steps.filter((text) => text.includes("update orders"))).toHaveLength(4);
    expect(steps.filter((text) => text.includes("outbox_events"))).toHaveLength(1);
    for (const { text, values } of checkout) {
      expect(values?.length ?? 0).toBeGreaterThan(0);
      expect(text).not.toContain(order!.id);
      expect(text).not.toContain(request.idempotencyKey);
    }
  });
});
