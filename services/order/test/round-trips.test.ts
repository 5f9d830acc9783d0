import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { recordStatements, type StatementRecorder, statementSummary } from "@shopmesh/kit/testing";
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
let recorder: StatementRecorder | undefined;

beforeAll(async () => {
  t = await startTestCheckout();
  const app = t.order!.app;
  // Background work would be counted too: the outbox stays unpublished, no event is consumed,
  // nothing is recovered.
  await Promise.all([app.relay.stop(), app.recovery.stop(), ...app.consumers.map((c) => c.stop())]);
  await t.product("RT-TEE", { priceMinor: 1999n, stock: 100, weightGrams: 200 });
  await t.product("RT-MUG", { priceMinor: 899n, stock: 100, weightGrams: 400 });

  recorder = recordStatements(await app.db.pool());
});

afterAll(async () => {
  recorder?.restore();
  await t?.stop();
});

const statementsOf = (call: () => Promise<unknown>) => recorder!.during(call);

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
    expect(checkout, statementSummary(checkout)).toHaveLength(7);
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
