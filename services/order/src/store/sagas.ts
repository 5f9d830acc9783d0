import type { EntityManager } from "@shopmesh/kit/db";
import type { CheckoutStep, Saga, SagaKind, SagaStatus, SagaStep } from "../domain/saga.ts";
import { assignmentsOf, ormPlaceholders, SAGA_FIELDS, valuesOf } from "./columns.ts";
import { toBigInt, toDate, toNumber, toOptionalDate } from "./sql.ts";

/** Thrown when a saga is saved by a process whose lease ran out (another one may drive it now). */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/**
 * The saga rows. A process drives a saga only while it holds the row's lease (owner + expiry):
 * claiming takes a free or expired lease, every save renews it (and fails once it was lost), and
 * the recovery loop claims due sagas with SKIP LOCKED, so replicas never drive one saga twice.
 */
export interface SagaRepository {
  byOrderId(orderId: string, options?: { lock?: boolean }): Promise<Saga | undefined>;
  insert(saga: Saga): Promise<void>;
  /** Stores a saga changed outside any lease (starting a cancel); clears the lease. */
  saveUnleased(saga: Saga): Promise<void>;
  /** Stores the saga and renews `owner`'s lease; throws LeaseLostError when `owner` lost it. */
  save(saga: Saga, owner: string, leaseMs: number): Promise<void>;
  /** Takes the lease of an unfinished saga when it is free, expired or `owner`'s already. */
  claim(orderId: string, owner: string, leaseMs: number): Promise<Saga | undefined>;
  /** Takes the leases of up to `limit` unfinished sagas that are due and not leased; their order ids. */
  claimDue(owner: string, leaseMs: number, limit: number): Promise<string[]>;
  /** Gives the lease back (only `owner`'s). */
  release(orderId: string, owner: string): Promise<void>;
  /** Makes a waiting saga due now (a payment event arrived). */
  wake(orderId: string): Promise<boolean>;
}

const COLUMNS = `order_id, kind, status, step, failed_step, attempts, step_start_time, next_attempt_time,
  payment_token, payment_wait_until, cancel_actor, cancel_reason, cancel_refund_minor, failure_code,
  failure_reason, create_time, update_time`;

type Raw = Record<string, unknown>;

/** The saga repository on one EntityManager. */
export function createSagaRepository(em: EntityManager): SagaRepository {
  /** The saga's fields as a SET list, on the ORM's placeholders; their values, then `rest`. */
  const assign = (saga: Saga, ...rest: unknown[]) => {
    const q = ormPlaceholders();
    return { set: assignmentsOf(SAGA_FIELDS, saga, q.add), values: [...q.values, ...rest] };
  };

  return {
    async byOrderId(orderId, options = {}) {
      const rows = await em.execute<Raw[]>(
        `select ${COLUMNS} from sagas where order_id = ?${options.lock ? " for update" : ""}`,
        [orderId],
      );
      return rows[0] ? toSaga(rows[0]) : undefined;
    },
    async insert(saga) {
      const q = ormPlaceholders();
      const columns = SAGA_FIELDS.map(([column]) => column).join(", ");
      await em.execute(
        `insert into sagas (order_id, ${columns}, create_time)
         values (?, ${valuesOf(SAGA_FIELDS, saga, q.add)}, ?)`,
        [saga.orderId, ...q.values, saga.createTime],
        "run",
      );
    },
    async saveUnleased(saga) {
      const { set, values } = assign(saga, saga.orderId);
      await em.execute(
        `update sagas set ${set}, lease_owner = null, lease_expire_time = null where order_id = ?`,
        values,
        "run",
      );
    },
    async save(saga, owner, leaseMs) {
      const done = saga.status === "done";
      const { set, values } = assign(saga, ...(done ? [] : [leaseMs / 1000]), saga.orderId, owner);
      const result = await em.execute<{ affectedRows: number }>(
        `update sagas set ${set},
           lease_expire_time = ${done ? "null" : "clock_timestamp() + make_interval(secs => ?)"},
           lease_owner = ${done ? "null" : "lease_owner"}
         where order_id = ? and lease_owner = ?`,
        values,
        "run",
      );
      if (result.affectedRows !== 1) throw new LeaseLostError(`the lease of saga ${saga.orderId} was lost`);
    },
    async claim(orderId, owner, leaseMs) {
      const rows = await em.execute<Raw[]>(
        `update sagas set lease_owner = ?, lease_expire_time = clock_timestamp() + make_interval(secs => ?)
         where order_id = ? and status <> 'done'
           and (lease_owner is null or lease_owner = ? or lease_expire_time < clock_timestamp())
         returning ${COLUMNS}`,
        [owner, leaseMs / 1000, orderId, owner],
      );
      return rows[0] ? toSaga(rows[0]) : undefined;
    },
    async claimDue(owner, leaseMs, limit) {
      const rows = await em.execute<{ order_id: string }[]>(
        `update sagas set lease_owner = ?, lease_expire_time = clock_timestamp() + make_interval(secs => ?)
         where order_id in (
           select order_id from sagas
           where status <> 'done' and next_attempt_time <= clock_timestamp()
             and (lease_owner is null or lease_expire_time < clock_timestamp())
           order by next_attempt_time limit ?
           for update skip locked)
         returning order_id`,
        [owner, leaseMs / 1000, limit],
      );
      return rows.map((row) => row.order_id);
    },
    async release(orderId, owner) {
      await em.execute(
        "update sagas set lease_owner = null, lease_expire_time = null where order_id = ? and lease_owner = ?",
        [orderId, owner],
        "run",
      );
    },
    async wake(orderId) {
      const result = await em.execute<{ affectedRows: number }>(
        "update sagas set next_attempt_time = clock_timestamp() where order_id = ? and status = 'waiting'",
        [orderId],
        "run",
      );
      return result.affectedRows > 0;
    },
  };
}

function toSaga(row: Raw): Saga {
  return {
    orderId: row.order_id as string,
    kind: row.kind as SagaKind,
    status: row.status as SagaStatus,
    step: row.step as SagaStep,
    failedStep: (row.failed_step ?? undefined) as CheckoutStep | undefined,
    attempts: toNumber(row.attempts),
    stepStartTime: toDate(row.step_start_time),
    nextAttemptTime: toDate(row.next_attempt_time),
    paymentToken: row.payment_token as string,
    paymentWaitUntil: toOptionalDate(row.payment_wait_until),
    cancelActor: row.cancel_actor as string,
    cancelReason: row.cancel_reason as string,
    cancelRefund: toBigInt(row.cancel_refund_minor),
    failureCode: row.failure_code as string,
    failureReason: row.failure_reason as string,
    createTime: toDate(row.create_time),
    updateTime: toDate(row.update_time),
  };
}
