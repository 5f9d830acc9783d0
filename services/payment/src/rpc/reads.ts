import type { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { ledgerEntryMessage } from "../domain/ledger.ts";
import { intentMessage, refundMessage } from "../domain/payment-intent.ts";
import type { PaymentDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";
import { existingIntent } from "./lookup.ts";

type Handlers = ServiceHandlers<typeof PaymentService>;

/** Reads for the order service and for staff answering questions about an order's payment. */
export function readHandlers(deps: PaymentDeps): Pick<Handlers, "getPaymentIntent" | "listOrderPayments"> {
  const { store } = deps;
  return {
    async getPaymentIntent(request) {
      check(uuid(request.paymentIntentId, "paymentIntentId"));
      return { paymentIntent: intentMessage(await existingIntent(store.read(), request.paymentIntentId)) };
    },

    async listOrderPayments(request) {
      check(uuid(request.orderId, "orderId"));
      const repos = store.read();
      const intents = await repos.intents.listByOrder(request.orderId);
      const ids = intents.map((intent) => intent.id);
      const [refunds, ledger] = await Promise.all([
        repos.refunds.listByIntents(ids),
        repos.ledger.listByIntents(ids),
      ]);
      return {
        paymentIntents: intents.map(intentMessage),
        refunds: refunds.map(refundMessage),
        ledgerEntries: ledger.map(ledgerEntryMessage),
      };
    },
  };
}
