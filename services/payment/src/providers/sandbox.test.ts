import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@shopmesh/kit/log";
import { waitFor } from "@shopmesh/kit/testing";
import { verifyWebhookSignature } from "@shopmesh/kit/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_CARDS } from "../domain/sandbox-tokens.ts";
import type { PaymentProvider } from "./provider.ts";
import { createSandboxProvider } from "./sandbox.ts";

const SECRET = "whsec_sandbox_unit_test_secret";
const logger = createLogger({ service: "payment", level: "silent" });
const eur = { amountMinor: 1_000n, currency: "EUR" };
const request = (paymentToken: string) => ({ amount: eur, paymentToken, orderId: "o", customerId: "" });

let sandbox: PaymentProvider | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("the sandbox provider", () => {
  it("decides by token, the same way every time", async () => {
    sandbox = createSandboxProvider({ webhookSecret: SECRET, confirmDelayMs: 0, logger });
    const outcomes: Record<string, unknown> = {};
    for (const card of SANDBOX_CARDS) {
      outcomes[card.token] = await sandbox.authorize(request(card.token), { idempotencyKey: "k1" }).then(
        (outcome) => (outcome.status === "declined" ? `declined:${outcome.declineCode}` : outcome.status),
        (error: { kind: string }) => `error:${error.kind}`,
      );
    }
    expect(outcomes).toEqual({
      tok_sandbox_visa: "authorized",
      tok_sandbox_mastercard: "authorized",
      tok_sandbox_declined: "declined:card_declined",
      tok_sandbox_insufficient_funds: "declined:insufficient_funds",
      tok_sandbox_processor_error: "error:unavailable",
      tok_sandbox_async: "requires_confirmation",
    });
  });

  it("answers the brand and last four digits of the card, and one reference per provider key", async () => {
    sandbox = createSandboxProvider({ webhookSecret: SECRET, confirmDelayMs: 0, logger });
    const first = await sandbox.authorize(request("tok_sandbox_mastercard"), { idempotencyKey: "k1" });
    const again = await sandbox.authorize(request("tok_sandbox_mastercard"), { idempotencyKey: "k1" });
    const other = await sandbox.authorize(request("tok_sandbox_mastercard"), { idempotencyKey: "k2" });
    expect(first).toMatchObject({ brand: "mastercard", last4: "4444" });
    expect(first.reference).toMatch(/^pi_sbx_[0-9a-f]{24}$/);
    expect(again.reference).toBe(first.reference);
    expect(other.reference).not.toBe(first.reference);
  });

  it("refuses tokens it does not know as a bad paymentToken", async () => {
    sandbox = createSandboxProvider({ webhookSecret: SECRET, confirmDelayMs: 0, logger });
    await expect(
      sandbox.authorize(request("4242424242424242"), { idempotencyKey: "k" }),
    ).rejects.toMatchObject({
      kind: "invalid",
      violations: [expect.objectContaining({ field: "paymentToken" })],
    });
  });

  it("confirms an asynchronous payment with a signed webhook, delivering again after a failure", async () => {
    const received: { body: string; signature: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push({ body, signature: String(req.headers["webhook-signature"]) });
        // The first delivery fails, as if the payment were not committed yet.
        res.writeHead(received.length === 1 ? 404 : 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/payments/sandbox`;
      sandbox = createSandboxProvider({ webhookSecret: SECRET, webhookUrl: url, confirmDelayMs: 10, logger });
      const outcome = await sandbox.authorize(request("tok_sandbox_async"), { idempotencyKey: "k" });
      await waitFor(() => received.length === 2, { timeoutMs: 5_000 });
      const [first, second] = received;
      expect(second!.body).toBe(first!.body);
      const event = JSON.parse(second!.body);
      expect(event).toMatchObject({
        type: "payment.succeeded",
        data: { reference: outcome.reference },
        id: expect.stringMatching(/^evt_sbx_/),
      });
      const now = Math.floor(Date.now() / 1000);
      expect(verifyWebhookSignature(SECRET, second!.body, second!.signature, now).valid).toBe(true);
    } finally {
      server.close();
    }
  });
});
