import { recordStatements, type StatementRecorder, statementSummary } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderId, startInventory, type TestInventory } from "./support.ts";

/**
 * Reserve and CommitReservation are on the checkout's hot path: these tests count the statements
 * each sends to PostgreSQL (every query of every pooled session, BEGIN and COMMIT included), so a
 * change that adds round trips shows here rather than only in the benchmark.
 */

let t: TestInventory;
let recorder: StatementRecorder | undefined;

beforeAll(async () => {
  t = await startInventory();
  // The relay's and the sweeper's own queries would be counted too.
  await t.inventory.relay.stop();
  await t.inventory.sweeper.stop();
  recorder = recordStatements(await t.inventory.db.pool());
});

afterAll(async () => {
  recorder?.restore();
  await t?.stop();
});

/** The statements `call` sends (a call that fails still counts). */
const statementsOf = (call: () => Promise<unknown>) => recorder!.during(() => call().catch(() => undefined));

const bound = (statements: { values: readonly unknown[] | undefined }[]) =>
  statements.every((statement) => (statement.values?.length ?? 0) > 0);

describe("statements per call", () => {
  it("GetAvailability is one prepared statement with the SKUs bound as one array", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RT-AV1", warehouse.id, 5);
    await t.receive("RT-AV2", warehouse.id, 7);
    const sent = await statementsOf(() => t.client.getAvailability({ skus: ["RT-AV1", "RT-AV2", "RT-AV3"] }));
    expect(sent, statementSummary(sent)).toHaveLength(1);
    expect(sent[0]?.name).toMatch(/^s\d+$/);
    expect(sent[0]?.values).toEqual([["RT-AV1", "RT-AV2", "RT-AV3"]]);
    const { items } = await t.client.getAvailability({ skus: ["RT-AV1", "RT-AV2", "RT-AV3"] });
    expect(items.map((item) => [item.sku, item.available])).toEqual([
      ["RT-AV1", 5n],
      ["RT-AV2", 7n],
      ["RT-AV3", 0n],
    ]);
  });

  it("Reserve and CommitReservation take two statements each, with bound parameters and no transaction", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RT-A", warehouse.id, 100);
    await t.receive("RT-B", warehouse.id, 100);
    const lines = [
      { sku: "RT-A", quantity: 1n },
      { sku: "RT-B", quantity: 2n },
    ];
    // Warm up: the first use of a pooled session prepares the statements.
    const warm = orderId();
    await t.order.reserve({ orderId: warm, lines });
    await t.order.commitReservation({ orderId: warm });

    const id = orderId();
    const reserve = await statementsOf(() => t.order.reserve({ orderId: id, lines }));
    const commit = await statementsOf(() => t.order.commitReservation({ orderId: id }));
    const repeat = await statementsOf(() => t.order.reserve({ orderId: id, lines }));
    const short = await statementsOf(() =>
      t.order.reserve({ orderId: orderId(), lines: [{ sku: "RT-A", quantity: 1_000n }] }),
    );
    expect(reserve, statementSummary(reserve)).toHaveLength(2);
    expect(commit, statementSummary(commit)).toHaveLength(2);
    expect(repeat).toHaveLength(1);
    expect(short).toHaveLength(1);
    expect(bound([...reserve, ...commit, ...repeat, ...short])).toBe(true);
  });

  it("Reserve of a SKU with a low-stock threshold takes at most six", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RT-WATCHED", warehouse.id, 10);
    await t.client.setLowStockThreshold({ sku: "RT-WATCHED", lowStockThreshold: 5n }, t.admin);
    await t.order.reserve({ orderId: orderId(), lines: [{ sku: "RT-WATCHED", quantity: 1n }] });

    const quiet = await statementsOf(() =>
      t.order.reserve({ orderId: orderId(), lines: [{ sku: "RT-WATCHED", quantity: 1n }] }),
    );
    // 8 → 4 available: crosses the threshold, so the alert is saved with its LowStock event.
    const crossing = await statementsOf(() =>
      t.order.reserve({ orderId: orderId(), lines: [{ sku: "RT-WATCHED", quantity: 4n }] }),
    );
    expect(quiet.length, statementSummary(quiet)).toBeLessThanOrEqual(5);
    expect(crossing.length, statementSummary(crossing)).toBeLessThanOrEqual(6);
  });
});
