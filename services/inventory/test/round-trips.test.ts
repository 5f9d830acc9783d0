import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderId, startInventory, type TestInventory } from "./support.ts";

/**
 * Reserve and CommitReservation are on the checkout's hot path: these tests count the statements
 * each sends to PostgreSQL (every query of every pooled session, BEGIN and COMMIT included), so a
 * change that adds round trips shows here rather than only in the benchmark.
 */

let t: TestInventory;
/** The statements sent while `recording` is set. */
let sent: { text: string; values: readonly unknown[] | undefined }[] = [];
let recording = false;
let restore: () => void = () => undefined;

type Query = (this: unknown, ...args: unknown[]) => unknown;

beforeAll(async () => {
  t = await startInventory();
  // The relay's and the sweeper's own queries would be counted too.
  await t.inventory.relay.stop();
  await t.inventory.sweeper.stop();
  const pool = await t.inventory.db.pool();
  const prototype = pool.Client.prototype as { query: Query };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    if (recording) {
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
    await call().catch(() => undefined);
  } finally {
    recording = false;
  }
  return sent;
}

function summary(statements: { text: string }[]): string {
  return statements.map((s) => s.text.replace(/\s+/g, " ").trim().slice(0, 90)).join("\n");
}

const bound = (statements: { values: readonly unknown[] | undefined }[]) =>
  statements.every((statement) => (statement.values?.length ?? 0) > 0);

describe("statements per call", () => {
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
    console.log(
      `Reserve: ${reserve.length}\n${summary(reserve)}\nCommitReservation: ${commit.length}\n${summary(commit)}\n` +
        `repeated Reserve: ${repeat.length}\nout of stock: ${short.length}`,
    );
    expect(reserve).toHaveLength(2);
    expect(commit).toHaveLength(2);
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
    console.log(
      `watched Reserve: ${quiet.length}\n${summary(quiet)}\ncrossing: ${crossing.length}\n${summary(crossing)}`,
    );
    expect(quiet.length).toBeLessThanOrEqual(5);
    expect(crossing.length).toBeLessThanOrEqual(6);
  });
});
