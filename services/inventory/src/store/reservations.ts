import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import type { AllocatedLine } from "../domain/allocation.ts";
import type { Reservation, ReservationState } from "../domain/reservation.ts";
import { RESERVATIONS_PKEY } from "./migrations.ts";
import { type LockOption, toDate, toNumber } from "./sql.ts";

export interface ReservationRepository {
  byOrderId(orderId: string, options?: LockOption): Promise<Reservation | undefined>;
  /** Stores the state, release reason and update time. */
  update(reservation: Reservation): Promise<void>;
  /**
   * Locks up to `limit` ACTIVE reservations whose time is up at `now`, oldest expiry first,
   * skipping rows another transaction holds: replicas sweeping together share the work.
   */
  claimExpired(now: Date, limit: number): Promise<Reservation[]>;
}

/**
 * True when `error` is the unique violation of a second reservation for the same order (a
 * concurrent Reserve of the same order wrote it first).
 */
export function isDuplicateReservation(error: unknown): boolean {
  return isUniqueViolation(error, RESERVATIONS_PKEY);
}

/** The columns of a reservation, named as RawReservation. */
export const RESERVATION_COLUMNS = `order_id as "orderId", state, lines, expire_time as "expireTime",
  release_reason as "releaseReason", create_time as "createTime", update_time as "updateTime"`;

export type RawReservation = {
  orderId: string;
  state: string;
  lines: AllocatedLine[];
  expireTime: unknown;
  releaseReason: string;
  createTime: unknown;
  updateTime: unknown;
};

export function createReservationRepository(em: EntityManager): ReservationRepository {
  return {
    async byOrderId(orderId, options = {}) {
      const rows = await em.execute<RawReservation[]>(
        `select ${RESERVATION_COLUMNS} from reservations where order_id = ?${options.lock ? " for update" : ""}`,
        [orderId],
      );
      return rows[0] ? toReservation(rows[0]) : undefined;
    },
    async update(reservation) {
      await em.execute(
        "update reservations set state = ?, release_reason = ?, update_time = ? where order_id = ?",
        [reservation.state, reservation.releaseReason, reservation.updateTime, reservation.orderId],
        "run",
      );
    },
    async claimExpired(now, limit) {
      const rows = await em.execute<RawReservation[]>(
        `select ${RESERVATION_COLUMNS} from reservations
         where state = 'active' and expire_time <= ?
         order by expire_time limit ?
         for update skip locked`,
        [now, limit],
      );
      return rows.map(toReservation);
    },
  };
}

export function toReservation(row: RawReservation): Reservation {
  return {
    orderId: row.orderId,
    state: row.state as ReservationState,
    lines: row.lines.map((line) => ({
      sku: line.sku,
      quantity: toNumber(line.quantity),
      allocations: line.allocations.map((a) => ({
        warehouseId: a.warehouseId,
        quantity: toNumber(a.quantity),
      })),
    })),
    expireTime: toDate(row.expireTime),
    releaseReason: row.releaseReason,
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}
