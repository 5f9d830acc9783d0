import { createLogger } from "@shopmesh/kit/log";
import { errorReason } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdempotencyPruner } from "../src/idempotency-pruner.ts";
import { Code, eur, failure, orderId, startTestPayment, type TestPayment } from "./support.ts";

const HOUR = 3_600_000;

let t: TestPayment;

beforeAll(async () => {
  t = await startTestPayment();
});

afterAll(async () => {
  await t?.stop();
});

function authorizeRequest(idempotencyKey: string, order: string) {
  return { idempotencyKey, orderId: order, amount: eur(1_500n), paymentToken: "tok_sandbox_visa" };
}

/** Makes a key look as if its first request came `hours` ago. */
async function age(payment: TestPayment, key: string, hours: number): Promise<void> {
  await payment.payment.db.execute(
    "update idempotency_keys set create_time = now() - make_interval(secs => ?) where key = ?",
    [hours * 3600, key],
  );
}

async function keys(payment: TestPayment, like: string): Promise<string[]> {
  const rows = await payment.payment.db.execute<{ key: string }>(
    "select key from idempotency_keys where key like ? order by key",
    [like],
  );
  return rows.map((row) => row.key);
}

/** `count` keys of method "Test" created `hours` ago, named `<prefix>-<n>`. */
async function insertOld(prefix: string, count: number, hours: number): Promise<void> {
  await t.payment.db.execute(
    `insert into idempotency_keys (method, key, fingerprint, response, create_time)
     select 'Test', ? || '-' || n, 'fingerprint', '\\x00'::bytea, now() - make_interval(secs => ?)
     from generate_series(1, ?) as n`,
    [prefix, hours * 3600, count],
  );
}

describe("idempotency key retention", () => {
  it("prunes keys older than 24 hours and keeps recent ones", async () => {
    await t.order.authorizePayment(authorizeRequest("retention-old", orderId()));
    await t.order.authorizePayment(authorizeRequest("retention-recent", orderId()));
    await age(t, "retention-old", 25);
    await age(t, "retention-recent", 23);

    expect(await t.payment.pruner.prune()).toBe(1);
    expect(await keys(t, "retention-%")).toEqual(["retention-recent"]);
    // A day later, the recent one goes too.
    expect(await t.payment.pruner.prune(new Date(Date.now() + 2 * HOUR))).toBe(1);
    expect(await keys(t, "retention-%")).toEqual([]);
  });

  it("treats a key reused after pruning as a new request", async () => {
    const intent = await t.authorize({ amount: eur(1_000n) });
    await t.order.capturePayment({ idempotencyKey: "retention-capture", paymentIntentId: intent.id });
    const refund = { idempotencyKey: "retention-refund", paymentIntentId: intent.id, amount: eur(100n) };
    await t.order.refundPayment(refund);
    await t.order.refundPayment(refund);
    expect((await t.order.listOrderPayments({ orderId: intent.orderId })).refunds).toHaveLength(1);

    await age(t, "retention-refund", 30);
    await t.payment.pruner.prune();
    const again = await t.order.refundPayment(refund);
    expect(again.paymentIntent!.refundedAmount!.amountMinor).toBe(200n);
    expect((await t.order.listOrderPayments({ orderId: intent.orderId })).refunds).toHaveLength(2);
  });

  it("refuses an AuthorizePayment whose pruned key the provider still honours, without a second intent", async () => {
    const order = orderId();
    const request = authorizeRequest("retention-authorize", order);
    const first = await t.order.authorizePayment(request);
    await age(t, "retention-authorize", 30);
    await t.payment.pruner.prune();

    // The sandbox keeps its keys forever: it answers with the first payment's reference.
    const refused = await failure(t.order.authorizePayment(request));
    expect([refused.code, errorReason(refused)]).toEqual([Code.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED"]);
    expect(refused.rawMessage).toContain(first.paymentIntent!.providerReference);
    const { paymentIntents } = await t.order.listOrderPayments({ orderId: order });
    expect(paymentIntents.map((p) => p.id)).toEqual([first.paymentIntent!.id]);
    // The refusal is the key's answer now, kept like any other.
    const again = await failure(t.order.authorizePayment(request));
    expect(again.rawMessage).toBe(refused.rawMessage);
  });

  it("prunes in batches, and two pruners at once (two replicas) delete every old key once", async () => {
    await insertOld("bulk", 57, 48);
    await insertOld("fresh", 3, 1);
    const logger = createLogger({ service: "payment", level: "silent" });
    const batches: number[] = [];
    const pruner = () =>
      createIdempotencyPruner({
        store: t.payment.store,
        logger,
        intervalMs: 0,
        retentionHours: 24,
        batchSize: 5,
        onPruned: (count) => batches.push(count),
      });
    const counts = await Promise.all([pruner().prune(), pruner().prune()]);
    expect(counts[0]! + counts[1]!).toBe(57);
    expect(Math.max(...batches)).toBeLessThanOrEqual(5);
    expect(await keys(t, "bulk-%")).toEqual([]);
    expect(await keys(t, "fresh-%")).toHaveLength(3);
  });
});

describe("IDEMPOTENCY_RETENTION_HOURS", () => {
  let long: TestPayment;

  beforeAll(async () => {
    long = await startTestPayment({ env: { IDEMPOTENCY_RETENTION_HOURS: "72" } });
  });

  afterAll(async () => {
    await long?.stop();
  });

  it("sets how long keys are kept", async () => {
    await long.order.authorizePayment(authorizeRequest("kept-longer", orderId()));
    await long.order.authorizePayment(authorizeRequest("kept-too-long", orderId()));
    await age(long, "kept-longer", 48);
    await age(long, "kept-too-long", 73);
    expect(await long.payment.pruner.prune()).toBe(1);
    expect(await keys(long, "kept-%")).toEqual(["kept-longer"]);
  });
});
