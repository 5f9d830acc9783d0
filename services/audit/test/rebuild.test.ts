import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { createLogger } from "@shopmesh/kit/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildProjections } from "../src/replay/rebuild-projections.ts";
import { publishScenario, type Scenario } from "./scenario.ts";
import { startAudit, type TestAudit } from "./support.ts";

let t: TestAudit;
let scenario: Scenario;
const logger = createLogger({ service: "audit-rebuild-test", level: "silent" });
const rebuild = (swap = false) =>
  rebuildProjections({ db: t.audit.db, nats: t.nats, prefix: t.prefix, logger, swap, batchSize: 4 });

beforeAll(async () => {
  t = await startAudit({ pollMs: 100 });
  scenario = await publishScenario(t.publisher);
  await t.waitForEntries(scenario.entries);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe("rebuilding the projections by replay", () => {
  it("gives exactly the live tables", async () => {
    const report = await rebuild();
    expect(report).toMatchObject({ equal: true, swapped: false, differences: [] });
    // Every signup, checkout event, refund, cancellation and failed payment of the scenario.
    expect(report.liveEntries).toBe(scenario.entries - 1);
    expect(report.replayedEvents).toBe(report.liveEntries);
    const order = report.streams.find((stream) => stream.context === "order");
    expect(order).toMatchObject({ lastSequence: 11, read: 11, applied: 11, notInLiveLog: 0 });
    expect(report.streams.find((stream) => stream.context === "catalog")).toMatchObject({ lastSequence: 0 });
    expect(report.streams.find((stream) => stream.context === "cart")).toMatchObject({
      lastSequence: 6,
      applied: 6,
      notInLiveLog: 0,
    });
    const schemas = await t.sql("select 1 from pg_namespace where nspname = 'audit_rebuild'");
    expect(schemas).toEqual([]);
  });

  it("rebuilds identical dashboard numbers after the live tables were lost, and says what differed", async () => {
    const before = await t.client.getDashboard({}, t.admin);
    await t.sql("delete from orders_daily where currency = 'EUR'");
    await t.sql("update product_sales_daily set units = units + 1");
    await t.sql("delete from signups_daily");
    await t.sql("update carts_daily set carts_created = carts_created + 10");
    expect(await t.client.getDashboard({}, t.admin)).not.toEqual(before);

    const found = await rebuild();
    expect(found).toMatchObject({ equal: false, swapped: false });
    expect(
      found.differences.map((difference) => [difference.table, difference.onlyLive, difference.onlyRebuilt]),
    ).toEqual([
      ["orders_daily", 0, 1],
      ["signups_daily", 0, 1],
      ["carts_daily", 2, 2],
      ["product_sales_daily", 3, 3],
    ]);
    expect(found.differences[0]!.examples).toMatchObject([
      { side: "rebuilt", row: { currency: "EUR", orders_placed: 3 } },
    ]);

    const repaired = await rebuild(true);
    expect(repaired).toMatchObject({ equal: false, swapped: true });
    expect(await t.client.getDashboard({}, t.admin)).toEqual(before);
    expect((await rebuild()).equal).toBe(true);
  });

  it("works as a command", async () => {
    const script = fileURLToPath(new URL("../src/rebuild.ts", import.meta.url));
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [script],
        {
          env: {
            ...process.env,
            DATABASE_URL: t.databaseUrl,
            EVENTS_PREFIX: t.prefix,
            LOG_LEVEL: "silent",
          },
        },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ equal: true, swapped: false });
  }, 30_000);

  it("leaves out events the live log does not hold yet", async () => {
    await t.audit.consumers.stop();
    const before = await t.client.getDashboard({}, t.admin);
    // Published while nobody consumes: in the stream, not in the live log or tables.
    await t.publisher.publish("order", OrderConfirmedSchema, {
      order: { id: "late", total: { amountMinor: 100n, currency: "EUR" } },
    });
    const report = await rebuild(true);
    expect(report).toMatchObject({ equal: true, swapped: false });
    expect(report.streams.find((stream) => stream.context === "order")).toMatchObject({
      lastSequence: 12,
      notInLiveLog: 1,
    });
    expect(await t.client.getDashboard({}, t.admin)).toEqual(before);
  });
});
