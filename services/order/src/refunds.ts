import {
  DomainError,
  type ErrorReasonName,
  failedPrecondition,
  invalidState,
  isDomainError,
  notFound,
} from "@shopmesh/kit/errors";
import type { EventMeta } from "@shopmesh/kit/events";
import { newId } from "@shopmesh/kit/ids";
import type { Logger } from "@shopmesh/kit/log";
import { classify } from "./domain/failures.ts";
import { moneyMessage } from "./domain/messages.ts";
import { checkRefund, type Order, refundable, refundOrder } from "./domain/order.ts";
import { markReturnRefunded } from "./domain/returns.ts";
import { call, PeerCallError } from "./saga/failure.ts";
import type { Peers } from "./saga/peers.ts";
import type { OrderStore, RefundRecord } from "./store/index.ts";

/**
 * Refunds of paid orders (RefundOrder, and ReceiveReturn for returned goods). A refund is first
 * recorded as pending in the order's transaction — counted against what is left to refund, so
 * concurrent refunds can never add up to more than was charged — then payment is asked with an
 * idempotency key derived from the refund's id, then the refund is completed in a second
 * transaction that changes the order's status and records OrderRefunded. A refund left pending
 * by a crash or an outage is finished later by the recovery loop (or a retry with the same key).
 */
export interface Refunds {
  /**
   * Records the refund `key` of an order (or finds it: the same key refunds once) and carries it
   * out. `amount` undefined refunds everything left. Resolves with the order after the refund.
   */
  refund(input: RefundInput): Promise<Order>;
  /** Finishes refunds left pending longer than `olderThanMs`; resolves with how many were tried. */
  finishStale(olderThanMs: number): Promise<number>;
}

export interface RefundInput {
  orderId: string;
  /** Unique per order: "staff:<client key>" or "return:<return id>". */
  key: string;
  amount: bigint | undefined;
  reason: string;
  actor: string;
  returnId?: string;
  meta: EventMeta;
}

/** Refunds through payment, recorded before and completed after the call (see Refunds). */
export function createRefunds(options: {
  store: OrderStore;
  peers: Peers;
  timeoutMs: number;
  logger: Logger;
}): Refunds {
  const { store, peers } = options;
  const log = options.logger.child({ component: "refunds" });

  async function record(input: RefundInput): Promise<RefundRecord> {
    return store.transaction(async (tx) => {
      const order = await tx.orders.byId(input.orderId, { lock: true });
      if (!order) throw notFound(`no order ${input.orderId}`);
      const existing = await tx.refunds.byKey(order.id, input.key);
      if (existing) {
        if (input.amount !== undefined && existing.amount !== input.amount) {
          throw failedPrecondition(
            "this idempotency key was used for another refund amount",
            "IDEMPOTENCY_KEY_REUSED",
          );
        }
        return existing;
      }
      const saga = await tx.sagas.byOrderId(order.id);
      if (saga && saga.status !== "done") {
        throw invalidState(`order ${order.id} has a ${saga.kind} under way; refund it afterwards`);
      }
      const pending = await tx.refunds.pendingAmount(order.id);
      const amount = input.amount ?? refundable(order) - pending;
      checkRefund(order, amount, pending);
      const now = new Date();
      const refund: RefundRecord = {
        id: newId(),
        orderId: order.id,
        idempotencyKey: input.key,
        amount,
        reason: input.reason,
        actor: input.actor,
        returnId: input.returnId,
        status: "pending",
        failure: "",
        createTime: now,
        updateTime: now,
      };
      await tx.refunds.insert(refund);
      return refund;
    });
  }

  async function carryOut(refund: RefundRecord, meta: EventMeta): Promise<Order> {
    if (refund.status === "failed") throw failureOf(refund);
    if (refund.status === "pending") {
      const order = await store.read().orders.byId(refund.orderId);
      if (!order) throw notFound(`no order ${refund.orderId}`);
      try {
        await call("payment", () =>
          peers.payment.refundPayment(
            {
              idempotencyKey: `refund:${refund.id}`,
              paymentIntentId: order.paymentIntentId,
              amount: moneyMessage(refund.amount, order.currency),
              reason: refund.reason,
            },
            { timeoutMs: options.timeoutMs },
          ),
        );
      } catch (error) {
        if (!(error instanceof PeerCallError)) throw error;
        if (classify(error.failure) === "transient") {
          throw new DomainError(
            "unavailable",
            `payment did not answer; the refund is retried (${error.failure.message})`,
          );
        }
        const failure = `${error.failure.reason ?? "INVALID_STATE"}: ${error.failure.message}`;
        await store.transaction(async (tx) => {
          const current = await tx.refunds.byId(refund.id, { lock: true });
          if (current?.status === "pending") {
            await tx.refunds.save({ ...current, status: "failed", failure, updateTime: new Date() });
          }
        });
        throw failureOf({ ...refund, failure });
      }
    }
    return complete(refund.id, meta);
  }

  /** The refund went through at payment: the order changes and OrderRefunded is recorded. */
  async function complete(refundId: string, meta: EventMeta): Promise<Order> {
    return store.transaction(async (tx) => {
      const refund = await tx.refunds.byId(refundId, { lock: true });
      if (!refund) throw notFound(`no refund ${refundId}`);
      const order = await tx.orders.byId(refund.orderId, { lock: true });
      if (!order) throw notFound(`no order ${refund.orderId}`);
      if (refund.status === "done") return order;
      const now = new Date();
      const ret = refund.returnId ? await tx.returns.byId(refund.returnId, { lock: true }) : undefined;
      const change = refundOrder(
        order,
        { amount: refund.amount, actor: refund.actor, reason: refund.reason, returned: ret?.lines ?? [] },
        now,
      );
      await tx.orders.save(change.order);
      await tx.orders.addHistory(change.history);
      tx.record(change.events, meta);
      if (ret) await tx.returns.save(markReturnRefunded(ret, now));
      await tx.refunds.save({ ...refund, status: "done", updateTime: now });
      return change.order;
    });
  }

  return {
    async refund(input) {
      const refund = await record(input);
      return carryOut(refund, input.meta);
    },
    async finishStale(olderThanMs) {
      const stale = await store.read().refunds.stale(new Date(Date.now() - olderThanMs), 20);
      for (const refund of stale) {
        try {
          await carryOut(refund, { actor: refund.actor });
        } catch (error) {
          if (!isDomainError(error))
            log.warn({ err: error, refundId: refund.id }, "pending refund not finished");
        }
      }
      return stale.length;
    },
  };
}

/** The error a failed refund answers again: its reason (REFUND_EXCEEDS_CAPTURED...) and message. */
function failureOf(refund: RefundRecord): DomainError {
  const [reason, ...rest] = refund.failure.split(": ");
  const known: ErrorReasonName[] = ["REFUND_EXCEEDS_CAPTURED", "IDEMPOTENCY_KEY_REUSED", "INVALID_STATE"];
  const name = known.includes(reason as ErrorReasonName) ? (reason as ErrorReasonName) : "INVALID_STATE";
  return failedPrecondition(`the refund failed: ${rest.join(": ") || refund.failure}`, name);
}
