import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { callContext } from "../call-context.ts";
import type { BffDeps } from "../deps.ts";
import { ProblemError } from "../errors/index.ts";

/** The header carrying a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Provider and carrier webhooks: `POST /webhooks/payments/{provider}` and
 * `POST /webhooks/shipping/{carrier}`. The BFF holds no webhook secret: it forwards the raw body
 * byte for byte with the signature header, and the owning service verifies the signature, the
 * timestamp tolerance and replays. 200 `{ "received": true, "duplicate": false }` when handled,
 * 401 for a bad signature.
 */
export function registerWebhooks(app: OpenAPIHono, deps: BffDeps, limit: MiddlewareHandler): void {
  app.use("/webhooks/*", limit);
  app.post("/webhooks/payments/:provider", async (c) => {
    const { provider, payload, signature } = await webhookInput(c, "provider");
    const { duplicate } = await deps.payment.handleProviderWebhook(
      { provider, payload, signature },
      { call: callContext(c) },
    );
    return c.json({ received: true, duplicate });
  });
  app.post("/webhooks/shipping/:carrier", async (c) => {
    const { provider: carrier, payload, signature } = await webhookInput(c, "carrier");
    const { duplicate } = await deps.shipping.handleCarrierWebhook(
      { carrier, payload, signature },
      { call: callContext(c) },
    );
    return c.json({ received: true, duplicate });
  });
}

async function webhookInput(c: Context, param: "provider" | "carrier") {
  const provider = c.req.param(param) ?? "";
  if (!NAME.test(provider)) {
    throw badInput(param, "must be a lower-case name");
  }
  const signature = c.req.header(WEBHOOK_SIGNATURE_HEADER);
  if (!signature) {
    throw new ProblemError({
      status: 401,
      code: "WEBHOOK_SIGNATURE_INVALID",
      detail: `The ${WEBHOOK_SIGNATURE_HEADER} header is required.`,
    });
  }
  const payload = new Uint8Array(await c.req.arrayBuffer());
  if (payload.length === 0) throw badInput("body", "must not be empty");
  return { provider, payload, signature };
}

function badInput(field: string, message: string): ProblemError {
  return new ProblemError({
    status: 400,
    code: "VALIDATION_FAILED",
    detail: `${field} ${message}`,
    errors: [{ field, message }],
  });
}
