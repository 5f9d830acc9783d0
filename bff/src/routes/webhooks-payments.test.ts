import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { PaymentService, PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPayment, type TestPayment } from "../../../services/payment/test/support.ts";
import { createTestBff, type TestBff } from "../../test/support/deps.ts";
import { json } from "../../test/support/http.ts";
import { createApp } from "../app.ts";
import { WEBHOOK_SIGNATURE_HEADER } from "./webhooks.ts";

/**
 * POST /webhooks/payments/{provider} end to end: the BFF forwards the raw body and the signature
 * header to a real payment service, which verifies them.
 */

interface Setup {
  payment: TestPayment;
  app: ReturnType<typeof createApp>;
  stop(): Promise<void>;
}

/**
 * A payment service behind a BFF that also listens on a port, where the sandbox can deliver its
 * own confirmations (SANDBOX_WEBHOOK_URL) as in local development. `sandboxDelivers` sets that up.
 */
async function setup(options: { sandboxDelivers: boolean }): Promise<Setup> {
  let app: ReturnType<typeof createApp> | undefined;
  // The payment service needs the BFF's URL and the BFF the service's address: listen first.
  const server: ServerType = serve({
    fetch: (request) => (app ? app.fetch(request) : new Response(null, { status: 503 })),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise((resolve) => server.once("listening", resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/payments/sandbox`;
  const payment = await startTestPayment(
    options.sandboxDelivers
      ? { env: { SANDBOX_WEBHOOK_URL: webhookUrl, SANDBOX_CONFIRM_DELAY_MS: "50" } }
      : {},
  );
  const bff: TestBff = await createTestBff(
    {},
    { payment: createRpcClient(PaymentService, { address: payment.address }) },
  );
  app = createApp(bff.deps);
  return {
    payment,
    app,
    async stop() {
      await payment.stop();
      bff.deps.payment.close();
      await bff.cleanup();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("POST /webhooks/payments/sandbox", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup({ sandboxDelivers: false });
  });
  afterAll(() => s?.stop());

  function post(body: Uint8Array, signature?: string, provider = "sandbox") {
    return s.app.request(`/webhooks/payments/${provider}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(signature === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature }),
      },
      body,
    });
  }

  async function status(id: string) {
    return (await s.payment.order.getPaymentIntent({ paymentIntentId: id })).paymentIntent?.status;
  }

  it("confirms a waiting payment from a signed webhook: 200 {received: true}", async () => {
    const waiting = await s.payment.authorize({ paymentToken: "tok_sandbox_async" });
    const { payload, signature } = s.payment.signedWebhook({
      type: "payment.succeeded",
      reference: waiting.providerReference,
    });
    const res = await post(payload, signature);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: true, duplicate: false });
    expect(await status(waiting.id)).toBe(PaymentStatus.AUTHORIZED);
  });

  it("acknowledges a replayed webhook as a duplicate", async () => {
    const waiting = await s.payment.authorize({ paymentToken: "tok_sandbox_async" });
    const { payload, signature } = s.payment.signedWebhook({
      type: "payment.failed",
      reference: waiting.providerReference,
      failureCode: "card_declined",
    });
    expect(await json(await post(payload, signature))).toEqual({ received: true, duplicate: false });
    const replay = await post(payload, signature);
    expect(replay.status).toBe(200);
    expect(await json(replay)).toEqual({ received: true, duplicate: true });
    expect(await status(waiting.id)).toBe(PaymentStatus.FAILED);
  });

  it("answers 401 problem+json to an unsigned webhook", async () => {
    const waiting = await s.payment.authorize({ paymentToken: "tok_sandbox_async" });
    const { payload } = s.payment.signedWebhook({
      type: "payment.succeeded",
      reference: waiting.providerReference,
    });
    const res = await post(payload);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect(await status(waiting.id)).toBe(PaymentStatus.REQUIRES_CONFIRMATION);
  });

  it("answers 401 problem+json to a bad signature, and changes nothing", async () => {
    const waiting = await s.payment.authorize({ paymentToken: "tok_sandbox_async" });
    const { payload, signature } = s.payment.signedWebhook(
      { type: "payment.succeeded", reference: waiting.providerReference },
      { secret: "whsec_not_the_sandbox_secret" },
    );
    const res = await post(payload, signature);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect(await status(waiting.id)).toBe(PaymentStatus.REQUIRES_CONFIRMATION);
  });

  it("answers 404 for a provider payment does not have", async () => {
    const { payload, signature } = s.payment.signedWebhook({ type: "payment.succeeded", reference: "pi_x" });
    const res = await post(payload, signature, "acme");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("the sandbox's own confirmation webhook (SANDBOX_WEBHOOK_URL)", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup({ sandboxDelivers: true });
  });
  afterAll(() => s?.stop());

  it("reaches payment through the BFF and authorises a tok_sandbox_async payment", async () => {
    const waiting = await s.payment.authorize({ paymentToken: "tok_sandbox_async" });
    expect(waiting.status).toBe(PaymentStatus.REQUIRES_CONFIRMATION);
    await waitFor(
      async () => {
        const { paymentIntent } = await s.payment.order.getPaymentIntent({ paymentIntentId: waiting.id });
        return paymentIntent?.status === PaymentStatus.AUTHORIZED;
      },
      { timeoutMs: 10_000, message: "the sandbox's webhook to authorise the payment" },
    );
  });
});
