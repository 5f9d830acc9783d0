import { recordStatements, type StatementRecorder, statementSummary } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eur, orderId, startTestPayment, type TestPayment } from "./support.ts";

/**
 * The checkout's two payment calls are on its hot path: these tests count the statements each
 * sends to PostgreSQL (every query of every pooled session, BEGIN and COMMIT included), so a
 * change that adds round trips shows here rather than only in the benchmark.
 */

let t: TestPayment;
let recorder: StatementRecorder | undefined;

beforeAll(async () => {
  t = await startTestPayment();
  // Background work would be counted too: the outbox is left unpublished here, nothing swept.
  await Promise.all([t.payment.relay.stop(), t.payment.sweeper.stop(), t.payment.pruner.stop()]);
  recorder = recordStatements(await t.payment.db.pool());
});

afterAll(async () => {
  recorder?.restore();
  await t?.stop();
});

const statementsOf = (call: () => Promise<unknown>) => recorder!.during(call);

describe("statements per call", () => {
  it("AuthorizePayment and CapturePayment take four round trips each, a replay three, all with bound parameters", async () => {
    const request = {
      idempotencyKey: `round-trips-${crypto.randomUUID()}`,
      orderId: orderId(),
      amount: eur(1_250n),
      paymentToken: "tok_sandbox_visa",
    };
    // Warm up: the first use of a pooled session prepares the statements.
    await t.authorize();

    const authorize = await statementsOf(() => t.order.authorizePayment(request));
    const intentId = (await t.order.listOrderPayments({ orderId: request.orderId })).paymentIntents[0]!.id;
    const captureKey = `round-trips-${crypto.randomUUID()}`;
    const capture = await statementsOf(() =>
      t.order.capturePayment({ idempotencyKey: captureKey, paymentIntentId: intentId }),
    );
    const replay = await statementsOf(() => t.order.authorizePayment(request));

    // BEGIN, claim the key (and lock the intent), write the change with its event and answer, COMMIT.
    expect(authorize, statementSummary(authorize)).toHaveLength(4);
    expect(capture, statementSummary(capture)).toHaveLength(4);
    // BEGIN, claim the key (finding its answer), COMMIT.
    expect(replay, statementSummary(replay)).toHaveLength(3);
    for (const { text } of [...authorize, ...capture, ...replay]) {
      expect(text).not.toContain("round-trips-");
      expect(text).not.toContain(intentId);
      expect(text).not.toContain(request.orderId);
    }
  });
});
