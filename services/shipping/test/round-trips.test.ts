import { recordStatements, type StatementRecorder, statementSummary } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipmentRequest, startTestShipping, type TestShipping } from "./support.ts";

/**
 * GetQuotes and CreateShipment are on the checkout's hot path: these tests count the statements
 * each sends to PostgreSQL (every query of every pooled session, BEGIN and COMMIT included), so a
 * change that adds round trips shows here rather than only in the benchmark.
 */

let t: TestShipping;
let recorder: StatementRecorder | undefined;

beforeAll(async () => {
  t = await startTestShipping();
  // The relay's own queries would be counted too (the carrier's loop is off in tests).
  await t.shipping.relay.stop();
  recorder = recordStatements(await t.shipping.db.pool());
});

afterAll(async () => {
  recorder?.restore();
  await t?.stop();
});

const statementsOf = (call: () => Promise<unknown>) => recorder!.during(call);

describe("statements per call", () => {
  it("GetQuotes sends none", async () => {
    const quotes = await statementsOf(() =>
      t.client.getQuotes({
        destination: { countryCode: "FR" },
        items: [{ sku: "TEE-BLK-M", quantity: 2, weightGrams: 250 }],
      }),
    );
    expect(quotes, statementSummary(quotes)).toHaveLength(0);
  });

  it("CreateShipment takes two (the order's shipment, one write), a repeat one, all with bound parameters", async () => {
    // Warm up: the first use of a pooled session prepares the statements.
    await t.order.createShipment(shipmentRequest());

    const request = shipmentRequest();
    const create = await statementsOf(() => t.order.createShipment(request));
    const repeat = await statementsOf(() => t.order.createShipment(request));

    // Read the order's shipment (none), then insert it, its tracking event and its outbox row.
    expect(create, statementSummary(create)).toHaveLength(2);
    // Read the order's shipment: found, answered.
    expect(repeat, statementSummary(repeat)).toHaveLength(1);
    for (const { text, values } of [...create, ...repeat]) {
      expect(values?.length ?? 0).toBeGreaterThan(0);
      expect(text).not.toContain(request.orderId);
    }
  });
});
