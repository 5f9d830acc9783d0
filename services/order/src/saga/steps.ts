import type { Reservation } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { AdjustmentReason, ReservationState } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { type PaymentIntent, PaymentStatus } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import type { CallOptions } from "@shopmesh/kit/rpc";
import { FAILURE_CODES, type SagaFailure } from "../domain/failures.ts";
import { addressMessage, methodToProto, moneyMessage } from "../domain/messages.ts";
import {
  applyShippingPrice,
  cancelOrder,
  confirmOrder,
  failOrder,
  type Order,
  type OrderChange,
  recordPayment,
  recordShipment,
} from "../domain/order.ts";
import type { Saga, SagaStep } from "../domain/saga.ts";
import { call, failedWith } from "./failure.ts";
import type { Peers } from "./peers.ts";

/**
 * What one step of a saga does: the calls to other services, and what the outcome means. Every
 * step is idempotent (inventory by order id, payment and shipping by keys derived from the order
 * id), so running it again after a crash or a lost answer has no second effect. Steps decide;
 * the engine persists the decision.
 */

/** What happened in a step. */
export type StepResult =
  /** The step is done: apply its order change (in the engine's transaction) and go on. */
  | {
      kind: "advance";
      apply?: (order: Order, now: Date) => OrderChange;
      wait?: { until: Date; pollAt: Date };
    }
  /** An asynchronous payment is still unconfirmed: check again at pollAt. */
  | { kind: "wait"; pollAt: Date }
  /** A permanent failure decided without a failed call (no quote for the method, a failed payment). */
  | { kind: "compensate"; failure: SagaFailure };

export interface StepOptions {
  peers: Peers;
  /** How long inventory holds the stock (RESERVATION_TTL_SECONDS). */
  reservationTtlSeconds: number;
  paymentConfirmationTimeoutMs: number;
  paymentPollMs: number;
  /** The deadline of each call. */
  timeoutMs: number;
}

export type StepRunner = (saga: Saga, order: Order, now: Date) => Promise<StepResult>;

/** Idempotency keys of the payment calls of an order: the same for every retry and resumed run. */
export const paymentKeys = {
  authorize: (orderId: string) => `${orderId}:authorize`,
  capture: (orderId: string) => `${orderId}:capture`,
  void: (orderId: string, intentId: string) => `${orderId}:void:${intentId}`,
  compensationRefund: (orderId: string, intentId: string) => `${orderId}:compensate:${intentId}`,
  cancelRefund: (orderId: string) => `${orderId}:cancel`,
};

const patch =
  (fn: (order: Order, now: Date) => Order) =>
  (order: Order, now: Date): OrderChange => ({ order: fn(order, now), history: [], events: [] });

/** The step runner: one function per step of every plan. */
export function createStepRunner(options: StepOptions): StepRunner {
  const { inventory, payment, shipping } = options.peers;
  const opts = (orderId: string): CallOptions => ({
    timeoutMs: options.timeoutMs,
    call: { requestId: `saga-${orderId}` },
  });
  const items = (order: Order) =>
    order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, weightGrams: line.weightGrams }));

  /** Puts committed stock back where it came from: one RETURNED adjustment per allocation, keyed. */
  async function restock(orderId: string, reservation: Reservation, note: string): Promise<void> {
    let index = 0;
    for (const line of reservation.lines) {
      for (const allocation of line.allocations) {
        const requestId = `restock:${orderId}:${index++}`;
        await call("inventory", () =>
          inventory.adjustStock(
            {
              sku: line.sku,
              warehouseId: allocation.warehouseId,
              reason: AdjustmentReason.RETURNED,
              change: { case: "delta", value: allocation.quantity },
              note,
              requestId,
            },
            opts(orderId),
          ),
        );
      }
    }
  }

  /** Gives the order's stock back: releases an active reservation, restocks a committed one. */
  async function giveStockBack(orderId: string, reason: string): Promise<void> {
    try {
      await call("inventory", () =>
        inventory.releaseReservation({ orderId, reason: reason.slice(0, 200) }, opts(orderId)),
      );
    } catch (error) {
      if (failedWith(error, "NotFound")) return; // nothing was reserved
      if (!failedWith(error, "FailedPrecondition")) throw error;
      const { reservation } = await call("inventory", () =>
        inventory.getReservation({ orderId }, opts(orderId)),
      );
      if (reservation?.state !== ReservationState.COMMITTED) throw error;
      await restock(orderId, reservation, `order ${orderId}: ${reason}`);
    }
  }

  /** What paid, from an intent. */
  const paid = (intent: PaymentIntent) =>
    patch((order, now) =>
      recordPayment(
        order,
        {
          intentId: intent.id,
          brand: intent.paymentMethod?.brand ?? "",
          last4: intent.paymentMethod?.last4 ?? "",
        },
        now,
      ),
    );

  const paymentFailure = (intent: PaymentIntent): SagaFailure =>
    intent.failureCode === "confirmation_timeout"
      ? {
          code: FAILURE_CODES.paymentNotConfirmed,
          reason: "the payment provider did not confirm the payment in time",
        }
      : {
          code: FAILURE_CODES.paymentDeclined,
          reason: `the payment was declined (${intent.failureCode || "unknown"})${intent.failureMessage ? `: ${intent.failureMessage}` : ""}`,
        };

  const steps: Record<SagaStep, (saga: Saga, order: Order, now: Date) => Promise<StepResult>> = {
    async reserve(_saga, order) {
      await call("inventory", () =>
        inventory.reserve(
          {
            orderId: order.id,
            lines: order.lines.map((line) => ({ sku: line.sku, quantity: BigInt(line.quantity) })),
            ttlSeconds: options.reservationTtlSeconds,
          },
          opts(order.id),
        ),
      );
      return { kind: "advance" };
    },

    async quote(_saga, order) {
      const { quotes } = await call("shipping", () =>
        shipping.getQuotes(
          { destination: addressMessage(order.shippingAddress), items: items(order) },
          opts(order.id),
        ),
      );
      const quote = quotes.find((q) => q.method === methodToProto(order.shippingMethod));
      if (!quote?.price) {
        return {
          kind: "compensate",
          failure: {
            code: FAILURE_CODES.shippingUnavailable,
            reason: `no ${order.shippingMethod} shipping to ${order.shippingAddress.countryCode}`,
          },
        };
      }
      if (quote.price.currency !== order.currency) {
        return {
          kind: "compensate",
          failure: {
            code: FAILURE_CODES.shippingUnavailable,
            reason: `shipping is priced in ${quote.price.currency}, the order in ${order.currency}`,
          },
        };
      }
      const price = quote.price.amountMinor;
      return { kind: "advance", apply: patch((o, now) => applyShippingPrice(o, price, now)) };
    },

    async authorize(saga, order, now) {
      const { paymentIntent } = await call("payment", () =>
        payment.authorizePayment(
          {
            idempotencyKey: paymentKeys.authorize(order.id),
            orderId: order.id,
            customerId: order.customerId,
            amount: moneyMessage(order.total, order.currency),
            paymentToken: saga.paymentToken,
          },
          opts(order.id),
        ),
      );
      if (!paymentIntent) throw new Error("payment answered AuthorizePayment without an intent");
      switch (paymentIntent.status) {
        case PaymentStatus.AUTHORIZED:
          return { kind: "advance", apply: paid(paymentIntent) };
        case PaymentStatus.REQUIRES_CONFIRMATION:
          return {
            kind: "advance",
            apply: paid(paymentIntent),
            wait: {
              until: new Date(now.getTime() + options.paymentConfirmationTimeoutMs),
              pollAt: new Date(now.getTime() + options.paymentPollMs),
            },
          };
        case PaymentStatus.FAILED:
          return { kind: "compensate", failure: paymentFailure(paymentIntent) };
        default:
          return {
            kind: "compensate",
            failure: {
              code: FAILURE_CODES.paymentFailed,
              reason: `the payment is ${PaymentStatus[paymentIntent.status]} after authorisation`,
            },
          };
      }
    },

    async await_payment(saga, order, now) {
      const expired = saga.paymentWaitUntil !== undefined && now >= saga.paymentWaitUntil;
      const notConfirmed: StepResult = {
        kind: "compensate",
        failure: {
          code: FAILURE_CODES.paymentNotConfirmed,
          reason: "the payment was not confirmed in time",
        },
      };
      const pollAt = new Date(
        Math.min(now.getTime() + options.paymentPollMs, saga.paymentWaitUntil?.getTime() ?? Infinity),
      );
      let intent: PaymentIntent | undefined;
      try {
        ({ paymentIntent: intent } = await call("payment", () =>
          payment.getPaymentIntent({ paymentIntentId: order.paymentIntentId }, opts(order.id)),
        ));
      } catch (error) {
        // Payment being down is no reason to fail a payment the customer may be confirming.
        if (expired) return notConfirmed;
        if (failedWith(error, "NotFound")) throw error;
        return { kind: "wait", pollAt };
      }
      switch (intent?.status) {
        case PaymentStatus.AUTHORIZED:
          return { kind: "advance", apply: paid(intent) };
        case PaymentStatus.REQUIRES_CONFIRMATION:
          return expired ? notConfirmed : { kind: "wait", pollAt };
        case PaymentStatus.FAILED:
          return { kind: "compensate", failure: paymentFailure(intent) };
        default:
          return notConfirmed;
      }
    },

    async ship(_saga, order) {
      const { shipment } = await call("shipping", () =>
        shipping.createShipment(
          {
            orderId: order.id,
            method: methodToProto(order.shippingMethod),
            address: addressMessage(order.shippingAddress),
            items: items(order),
          },
          opts(order.id),
        ),
      );
      if (!shipment) throw new Error("shipping answered CreateShipment without a shipment");
      const created = {
        shipmentId: shipment.id,
        trackingNumber: shipment.trackingNumber,
        carrier: shipment.carrier,
      };
      return { kind: "advance", apply: patch((o, now) => recordShipment(o, created, now)) };
    },

    async capture(_saga, order) {
      await call("payment", () =>
        payment.capturePayment(
          { idempotencyKey: paymentKeys.capture(order.id), paymentIntentId: order.paymentIntentId },
          opts(order.id),
        ),
      );
      return { kind: "advance" };
    },

    async commit(_saga, order) {
      await call("inventory", () => inventory.commitReservation({ orderId: order.id }, opts(order.id)));
      return { kind: "advance" };
    },

    async confirm() {
      return { kind: "advance", apply: confirmOrder };
    },

    // Compensations: each harmless when its step had no effect.

    async cancel_shipment(saga, order) {
      await call("shipping", () =>
        shipping.cancelShipment({ orderId: order.id, reason: saga.failureCode }, opts(order.id)),
      );
      return { kind: "advance" };
    },

    async void_payment(saga, order) {
      // Every intent of the order, not only the one we know: an authorisation whose answer was
      // lost (a timeout) may still have gone through.
      const { paymentIntents } = await call("payment", () =>
        payment.listOrderPayments({ orderId: order.id }, opts(order.id)),
      );
      for (const intent of paymentIntents) {
        if (
          intent.status === PaymentStatus.AUTHORIZED ||
          intent.status === PaymentStatus.REQUIRES_CONFIRMATION
        ) {
          await call("payment", () =>
            payment.voidPayment(
              {
                idempotencyKey: paymentKeys.void(order.id, intent.id),
                paymentIntentId: intent.id,
                reason: saga.failureCode,
              },
              opts(order.id),
            ),
          );
        } else if (
          intent.status === PaymentStatus.CAPTURED ||
          intent.status === PaymentStatus.PARTIALLY_REFUNDED
        ) {
          const left =
            (intent.capturedAmount?.amountMinor ?? 0n) - (intent.refundedAmount?.amountMinor ?? 0n);
          if (left <= 0n) continue;
          await call("payment", () =>
            payment.refundPayment(
              {
                idempotencyKey: paymentKeys.compensationRefund(order.id, intent.id),
                paymentIntentId: intent.id,
                amount: moneyMessage(left, intent.capturedAmount?.currency ?? order.currency),
                reason: saga.failureCode,
              },
              opts(order.id),
            ),
          );
        }
      }
      return { kind: "advance" };
    },

    async release_stock(saga, order) {
      await giveStockBack(order.id, saga.failureCode.toLowerCase() || "checkout_failed");
      return { kind: "advance" };
    },

    async fail(saga) {
      const failure = { code: saga.failureCode, reason: saga.failureReason };
      return { kind: "advance", apply: (order, now) => failOrder(order, failure, now) };
    },

    // Cancellation of a confirmed order.

    async stop_shipment(saga, order) {
      await call("shipping", () =>
        shipping.cancelShipment(
          { orderId: order.id, reason: saga.cancelReason || "order cancelled" },
          opts(order.id),
        ),
      );
      return { kind: "advance" };
    },

    async restock(_saga, order) {
      const { reservation } = await call("inventory", () =>
        inventory.getReservation({ orderId: order.id }, opts(order.id)),
      );
      if (reservation?.state === ReservationState.COMMITTED) {
        await restock(order.id, reservation, `order ${order.id} cancelled before shipping`);
      } else if (reservation?.state === ReservationState.ACTIVE) {
        await giveStockBack(order.id, "order_cancelled");
      }
      return { kind: "advance" };
    },

    async refund(saga, order) {
      if (saga.cancelRefund > 0n) {
        await call("payment", () =>
          payment.refundPayment(
            {
              idempotencyKey: paymentKeys.cancelRefund(order.id),
              paymentIntentId: order.paymentIntentId,
              amount: moneyMessage(saga.cancelRefund, order.currency),
              reason: saga.cancelReason || "order cancelled",
            },
            opts(order.id),
          ),
        );
      }
      return { kind: "advance" };
    },

    async finish(saga) {
      const by = { actor: saga.cancelActor, reason: saga.cancelReason || "order cancelled" };
      const refunded = saga.cancelRefund;
      return { kind: "advance", apply: (order, now) => cancelOrder(order, by, refunded, now) };
    },
  };

  return (saga, order, now) => steps[saga.step](saga, order, now);
}
