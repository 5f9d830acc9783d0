import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipmentRequest, startTestShipping, type TestShipping } from "./support.ts";

/**
 * GetQuotes and CreateShipment are on the checkout's hot path: these tests count the statements
 * each sends to PostgreSQL (every query of every pooled session, BEGIN and COMMIT included), so a
 * change that adds round trips shows here rather than only in the benchmark.
 */

let t: TestShipping;
/** The statements sent while `recording` is set. */
let sent: { text: string; values: readonly unknown[] | undefined }[] = [];
let recording = false;
let restore: () => void = () => undefined;

type Query = (this: unknown, ...args: unknown[]) => unknown;

beforeAll(async () => {
  t = await startTestShipping();
  // The relay's own queries would be counted too (the carrier's loop is off in tests).
  await t.shipping.relay.stop();
  const pool = await t.shipping.db.pool();
  const prototype = pool.Client.prototype as { query: Query };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    if (recording) {
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
  return statements.map((s) => s.text.replace(/\s+/g, " ").trim().slice(0, 90)).join("\n");
}

describe("statements per call", () => {
  it("GetQuotes sends none", async () => {
    const quotes = await statementsOf(() =>
      t.client.getQuotes({
        destination: { countryCode: "FR" },
        items: [{ sku: "TEE-BLK-M", quantity: 2, weightGrams: 250 }],
      }),
    );
    expect(quotes, summary(quotes)).toHaveLength(0);
  });

  it("CreateShipment takes two (the order's shipment, one write), a repeat one, all with bound parameters", async () => {
    // Warm up: the first use of a pooled session prepares the statements.
    await t.order.createShipment(shipmentRequest());

    const request = shipmentRequest();
    const create = await statementsOf(() => t.order.createShipment(request));
    const repeat = await statementsOf(() => t.order.createShipment(request));
    console.log(`CreateShipment: ${create.length}\n${summary(create)}\nrepeated: ${repeat.length}`);

    // Read the order's shipment (none), then insert it, its tracking event and its outbox row.
    expect(create, summary(create)).toHaveLength(2);
    // Read the order's shipment: found, answered.
    expect(repeat, summary(repeat)).toHaveLength(1);
    for (const { text, values } of [...create, ...repeat]) {
      expect(values?.length ?? 0).toBeGreaterThan(0);
      expect(text).not.toContain(request.orderId);
    }
  });
});
