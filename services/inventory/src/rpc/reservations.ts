import type {
  InventoryService,
  ReservationLine,
} from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { isDomainError, notFound } from "@shopmesh/kit/errors";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import type { LineRequest } from "../domain/allocation.ts";
import {
  checkReleaseReason,
  checkReserveInput,
  type Reservation,
  repeatReserve,
  reservationMessage,
} from "../domain/reservation.ts";
import { eventMeta } from "../events.ts";
import { commitStock, type ReserveOutcome, reserveStock } from "../reservation-steps.ts";
import { releaseReservations } from "../stock-steps.ts";
import { isDuplicateReservation, type Repositories } from "../store/index.ts";
import type { InventoryDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof InventoryService>;

/**
 * Reservations, driven by the order service's checkout saga: reserve, then commit or release.
 * Every call is idempotent by order id, so the saga may retry any step.
 */
export function reservationHandlers(
  deps: InventoryDeps,
): Pick<Handlers, "reserve" | "commitReservation" | "releaseReservation" | "getReservation"> {
  const { store, reservations: outcomes } = deps;

  return {
    async reserve(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const lines = request.lines.map(lineFromProto);
      check(checkReserveInput({ lines, ttlSeconds: request.ttlSeconds }));
      const { orderId } = request;
      let result: ReserveOutcome;
      try {
        result = await reserveStock(store, {
          orderId,
          lines,
          ttlSeconds: request.ttlSeconds,
          meta: eventMeta(ctx),
        });
      } catch (error) {
        if (!isDuplicateReservation(error)) {
          outcomes?.inc({ outcome: isOutOfStock(error) ? "out_of_stock" : "failed" });
          throw error;
        }
        // A concurrent Reserve of the same order committed first: answer as a retry would.
        const existing = await store.checkout.reservation(orderId);
        if (!existing) throw error;
        result = { reservation: repeatReserve(existing, lines, new Date()), created: false };
      }
      outcomes?.inc({ outcome: result.created ? "reserved" : "repeated" });
      return { reservation: reservationMessage(result.reservation) };
    },

    async commitReservation(request, ctx) {
      check(uuid(request.orderId, "orderId"));
      const reservation = await commitStock(store, request.orderId, eventMeta(ctx));
      return { reservation: reservationMessage(reservation) };
    },

    async releaseReservation(request, ctx) {
      check(uuid(request.orderId, "orderId"), checkReleaseReason(request.reason, "reason"));
      const meta = eventMeta(ctx);
      const now = new Date();
      const reservation = await store.transaction(async (tx) => {
        const current = await existingReservation(tx, request.orderId, true);
        const [released] = await releaseReservations(tx, [current], { reason: request.reason, now, meta });
        return released ?? current;
      });
      return { reservation: reservationMessage(reservation) };
    },

    async getReservation(request) {
      check(uuid(request.orderId, "orderId"));
      return { reservation: reservationMessage(await existingReservation(store.read(), request.orderId)) };
    },
  };
}

/** The reservation of an order; NOT_FOUND when there is none. */
async function existingReservation(repos: Repositories, orderId: string, lock = false): Promise<Reservation> {
  const reservation = await repos.reservations.byOrderId(orderId, { lock });
  if (!reservation) throw notFound(`no reservation for order ${orderId}`);
  return reservation;
}

/** A request line; a quantity beyond ±2^53 becomes NaN, which checkReserveInput names. */
function lineFromProto(line: ReservationLine): LineRequest {
  const quantity = line.quantity;
  const safe = quantity <= BigInt(Number.MAX_SAFE_INTEGER) && quantity >= BigInt(Number.MIN_SAFE_INTEGER);
  return { sku: line.sku, quantity: safe ? Number(quantity) : Number.NaN };
}

function isOutOfStock(error: unknown): boolean {
  return isDomainError(error) && error.reason === "OUT_OF_STOCK";
}
