import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { withErrorMapping } from "@shopmesh/kit/errors/rpc";
import type { AccessRules, ServiceHandlers } from "@shopmesh/kit/rpc";
import { authorizeHandlers } from "./authorize.ts";
import type { PaymentDeps } from "./deps.ts";
import { intentHandlers } from "./intents.ts";
import { readHandlers } from "./reads.ts";
import { webhookHandlers } from "./webhooks.ts";

export type { PaymentDeps } from "./deps.ts";

/**
 * The handlers of shopmesh.payment.v1.PaymentService. Each maps its request to domain calls,
 * provider calls and store operations and the result back to proto; failures map to statuses in
 * the kit's toRpcError.
 */
export function createPaymentHandlers(deps: PaymentDeps): ServiceHandlers<typeof PaymentService> {
  return withErrorMapping(PaymentService, {
    ...authorizeHandlers(deps),
    ...intentHandlers(deps),
    ...readHandlers(deps),
    ...webhookHandlers(deps),
  });
}

/**
 * Who may call what, as the proto comments say: money moves only at the order service's request
 * (service), admins may also refund (payments.refund; services pass every permission rule),
 * support and admins read (orders.read), and provider webhooks are public: the signature,
 * checked by the handler, is their authentication.
 */
export const PAYMENT_ACCESS_RULES: AccessRules<typeof PaymentService> = {
  authorizePayment: "service",
  capturePayment: "service",
  voidPayment: "service",
  refundPayment: { permission: "payments.refund" },
  getPaymentIntent: { permission: "orders.read" },
  listOrderPayments: { permission: "orders.read" },
  handleProviderWebhook: "public",
};
