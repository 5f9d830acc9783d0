import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EmailVerificationRequestedSchema,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { OrderConfirmedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { fieldViolations } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED } from "../src/domain/summary.ts";
import { EXPECTED, publishScenario, type Scenario, VERIFICATION_TOKEN } from "./scenario.ts";
import { Code, failure, startAudit, type TestAudit } from "./support.ts";

let t: TestAudit;
let scenario: Scenario;

beforeAll(async () => {
  t = await startAudit({ pollMs: 100 });
}, 30_000);

afterAll(async () => {
  await t?.stop();
});

async function entryCount(): Promise<number> {
  const [row] = await t.sql<{ n: string }>("select count(*)::text as n from audit_entries");
  return Number(row?.n);
}

describe("consuming", () => {
  it("starts without the streams and attaches to each one when it appears", async () => {
    expect(t.audit.consumers.status().every((stream) => stream.state === "waiting")).toBe(true);
    scenario = await publishScenario(t.publisher);
    await t.waitForEntries(scenario.entries);
    const attached = t.audit.consumers
      .status()
      .filter((stream) => stream.state === "attached")
      .map((stream) => stream.context);
    expect(attached.sort()).toEqual(["cart", "identity", "order", "payment"]);
    expect(await entryCount()).toBe(scenario.entries);
    expect((await t.client.verifyAuditLog({}, t.admin)).valid).toBe(true);
  }, 60_000);

  it("records who did what to which aggregate, with the correlation", async () => {
    const { entries } = await t.client.listAuditEntries({ subject: scenario.firstOrderId }, t.support);
    expect(entries.map((entry) => entry.eventType)).toEqual([
      "shopmesh.order.v1.OrderRefunded",
      "shopmesh.order.v1.OrderConfirmed",
      "shopmesh.order.v1.OrderPlaced",
    ]);
    const placed = entries[2]!;
    expect(placed).toMatchObject({
      context: "order",
      actor: `user:${scenario.customerId}`,
      subject: scenario.firstOrderId,
      eventId: scenario.eventIds[3],
    });
    expect(entries[1]!.correlationId).toBe(placed.correlationId);
    expect(placed.correlationId).not.toBe("");
    expect(placed.payloadSummary).toMatchObject({
      order: { id: scenario.firstOrderId, total: { amountMinor: "3500", currency: "EUR" } },
    });
    expect(JSON.stringify(placed.payloadSummary)).not.toContain("Lovelace");
  });

  it("never keeps a token in the log", async () => {
    const { entries } = await t.client.listAuditEntries(
      { eventType: EmailVerificationRequestedSchema.typeName },
      t.admin,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]!.payloadSummary).toEqual({ userId: scenario.customerId, token: REDACTED });
    const rows = await t.sql<{ text: string }>("select payload_summary::text as text from audit_entries");
    expect(rows.some((row) => row.text.includes(VERIFICATION_TOKEN))).toBe(false);
  });

  it("has no second effect when an event is delivered again", async () => {
    const before = await t.client.getDashboard({}, t.admin);
    const count = await entryCount();
    const confirmed = scenario.eventIds[4]!;
    await t.publisher.republish("order", confirmed);
    await waitFor(
      async () => {
        const metric = await t.audit.metrics.eventsConsumed.get();
        return metric.values.some(
          (value) =>
            value.labels.outcome === "duplicate" && value.labels.type === OrderConfirmedSchema.typeName,
        );
      },
      { timeoutMs: 10_000, message: "the redelivery handled" },
    );
    expect(await entryCount()).toBe(count);
    expect(await t.client.getDashboard({}, t.admin)).toEqual(before);
  });
});

describe("ListAuditEntries", () => {
  it("filters by actor, type, package and correlation", async () => {
    const byActor = await t.client.listAuditEntries({ actor: `user:${scenario.customerId}` }, t.support);
    expect(byActor.entries.map((entry) => entry.eventType)).toEqual([
      "shopmesh.order.v1.OrderCancelled",
      "shopmesh.order.v1.OrderRefunded",
      ...Array(4).fill("shopmesh.order.v1.OrderPlaced"),
    ]);
    const signups = await t.client.listAuditEntries({ eventType: UserRegisteredSchema.typeName }, t.support);
    expect(signups.entries).toHaveLength(2);
    const orders = await t.client.listAuditEntries({ eventType: "shopmesh.order.v1." }, t.support);
    expect(orders.entries).toHaveLength(11);
    const cancelled = byActor.entries[0]!;
    const flow = await t.client.listAuditEntries({ correlationId: cancelled.correlationId }, t.support);
    expect(flow.entries.map((entry) => [entry.eventType.split(".").at(-1), entry.subject])).toEqual([
      ["OrderCancelled", cancelled.subject],
      ["OrderRefunded", cancelled.subject],
      ["OrderConfirmed", cancelled.subject],
      ["OrderPlaced", cancelled.subject],
    ]);
  });

  it("filters by event time", async () => {
    const now = Date.now();
    const all = await t.client.listAuditEntries(
      {
        startTime: timestampFromDate(new Date(now - 3_600_000)),
        endTime: timestampFromDate(new Date(now + 60_000)),
      },
      t.support,
    );
    expect(all.entries).toHaveLength(scenario.entries);
    const none = await t.client.listAuditEntries(
      { startTime: timestampFromDate(new Date(now + 60_000)) },
      t.support,
    );
    expect(none.entries).toEqual([]);
  });

  it("pages newest first without gaps or repeats", async () => {
    const seen: bigint[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await t.client.listAuditEntries(
        { eventType: "shopmesh.order.v1.", pageSize: 4, pageToken },
        t.support,
      );
      seen.push(...page.entries.map((entry) => entry.sequence));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(11);
    expect([...seen].sort((a, b) => (a > b ? -1 : 1))).toEqual(seen);
    expect(new Set(seen).size).toBe(11);
  });

  it("refuses bad filters and a token issued for other filters", async () => {
    const bad = await failure(
      t.client.listAuditEntries(
        {
          eventType: "not a type!",
          startTime: timestampFromDate(new Date(2)),
          endTime: timestampFromDate(new Date(1)),
        },
        t.support,
      ),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(bad).map((violation) => violation.field)).toEqual(["eventType", "endTime"]);
    const page = await t.client.listAuditEntries({ pageSize: 2 }, t.support);
    const mismatch = await failure(
      t.client.listAuditEntries({ actor: "user:x", pageToken: page.nextPageToken }, t.support),
    );
    expect(fieldViolations(mismatch).map((violation) => violation.field)).toEqual(["pageToken"]);
  });

  it("is for staff with audit.read", async () => {
    expect((await failure(t.client.listAuditEntries({}))).code).toBe(Code.Unauthenticated);
    expect((await failure(t.client.listAuditEntries({}, t.customer))).code).toBe(Code.PermissionDenied);
  });
});

describe("VerifyAuditLog", () => {
  it("reports a sound chain and its head", async () => {
    const result = await t.client.verifyAuditLog({}, t.admin);
    const count = BigInt(await entryCount());
    expect(result).toMatchObject({
      valid: true,
      entriesChecked: count,
      headSequence: count,
      firstBrokenSequence: 0n,
    });
    expect(result.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.client.verifyAuditLog({}, t.service)).valid).toBe(true);
  });

  it("is for admins only", async () => {
    expect((await failure(t.client.verifyAuditLog({}, t.support))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.verifyAuditLog({}, t.customer))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.verifyAuditLog({}))).code).toBe(Code.Unauthenticated);
  });
});

describe("GetDashboard", () => {
  it("answers the figures of the published events", async () => {
    const dashboard = await t.client.getDashboard({}, t.support);
    expect(dashboard.totals).toHaveLength(2);
    expect(dashboard.totals[0]).toMatchObject(EXPECTED.EUR);
    expect(dashboard.totals[0]!.checkoutSuccessRate).toBeCloseTo(2 / 3, 10);
    expect(dashboard.totals[0]!.checkoutConversion).toBe(dashboard.totals[0]!.checkoutSuccessRate);
    expect(dashboard.totals[1]).toMatchObject(EXPECTED.USD);
    expect(dashboard.signups).toBe(EXPECTED.signups);
    expect(dashboard.topProducts).toMatchObject(EXPECTED.topProducts);
    expect(dashboard.failedOrdersByCode).toMatchObject([{ code: "OUT_OF_STOCK", count: 1n }]);
    expect(dashboard.failedPaymentsByCode).toMatchObject([{ code: "card_declined", count: 1n }]);
    expect(dashboard.dailyFailedPayments).toMatchObject([
      { currency: "EUR", payments: 1n, amount: { amountMinor: 900n } },
    ]);
    expect(dashboard.asOfSequence).toBe(BigInt(await entryCount()));
    const today = new Date().toISOString().slice(0, 10);
    expect(dashboard.endDate).toBe(today);
    expect(dashboard.dailySignups).toMatchObject([{ date: today, count: 2n }]);
  });

  it("answers the checkout conversion, carts -> orders, per day and over the range", async () => {
    const dashboard = await t.client.getDashboard({}, t.support);
    expect(dashboard).toMatchObject({
      cartsCreated: EXPECTED.carts.cartsCreated,
      ordersPlaced: EXPECTED.carts.ordersPlaced,
    });
    expect(dashboard.cartConversion).toBeCloseTo(EXPECTED.carts.cartConversion, 10);
    expect(dashboard.dailyCartConversion).toMatchObject(EXPECTED.dailyCartConversion(new Date()));
    // Carts have no currency: a currency filter narrows the orders' figures, not these.
    const usd = await t.client.getDashboard({ currency: "USD" }, t.support);
    expect(usd).toMatchObject({ cartsCreated: 6n, ordersPlaced: 4n });
    // Only today: yesterday's cart is left out.
    const today = new Date().toISOString().slice(0, 10);
    const one = await t.client.getDashboard({ startDate: today, endDate: today }, t.support);
    expect(one).toMatchObject({ cartsCreated: 5n, ordersPlaced: 4n, cartConversion: 0.8 });
  });

  it("narrows to one currency and a date range", async () => {
    const usd = await t.client.getDashboard({ currency: "USD", topProductsLimit: 1 }, t.support);
    expect(usd.totals).toMatchObject([EXPECTED.USD]);
    expect(usd.topProducts).toMatchObject([EXPECTED.topProducts[1]!]);
    expect(usd.failedPaymentsByCode).toEqual([]);
    const past = await t.client.getDashboard({ startDate: "2020-01-01", endDate: "2020-01-31" }, t.support);
    expect(past).toMatchObject({
      totals: [],
      signups: 0n,
      topProducts: [],
      startDate: "2020-01-01",
      dailyCartConversion: [],
      cartsCreated: 0n,
      cartConversion: 0,
    });
  });

  it("refuses a bad range and is for staff with dashboard.read", async () => {
    const bad = await failure(
      t.client.getDashboard({ startDate: "2026-13-01", currency: "euro" }, t.support),
    );
    expect(fieldViolations(bad).map((violation) => violation.field)).toEqual(["startDate", "currency"]);
    expect((await failure(t.client.getDashboard({}, t.customer))).code).toBe(Code.PermissionDenied);
  });
});
