import { defineEntity, p } from "@shopmesh/kit/db";

/**
 * The order tables as MikroORM entities, for the ORM's metadata. The repositories of this folder
 * read and write them with explicit SQL (row locks, conditional updates, leases) and map rows to
 * the domain's records by hand; the SQL that creates the tables is in migrations.ts.
 */

export const OrderRow = defineEntity({
  name: "OrderRow",
  tableName: "orders",
  properties: {
    id: p.uuid().primary(),
    customerId: p.text(),
    status: p.text(),
    lines: p.json<unknown[]>(),
    currency: p.text(),
    subtotalMinor: p.bigint("bigint"),
    shippingMinor: p.bigint("bigint"),
    totalMinor: p.bigint("bigint"),
    refundedMinor: p.bigint("bigint"),
    shippingAddress: p.json<Record<string, string>>(),
    shippingMethod: p.text(),
    paymentIntentId: p.text(),
    paymentBrand: p.text(),
    paymentLast4: p.text(),
    shipmentId: p.text(),
    trackingNumber: p.text(),
    carrier: p.text(),
    failureCode: p.text(),
    failureReason: p.text(),
    idempotencyKey: p.text(),
    requestFingerprint: p.text(),
    shipTime: p.datetime().nullable(),
    deliverTime: p.datetime().nullable(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    version: p.integer(),
  },
});

export const OrderHistoryRow = defineEntity({
  name: "OrderHistoryRow",
  tableName: "order_history",
  properties: {
    id: p.bigint("number").primary(),
    orderId: p.uuid(),
    fromStatus: p.text().nullable(),
    toStatus: p.text(),
    actor: p.text(),
    reason: p.text(),
    createTime: p.datetime(),
  },
});

export const SagaRow = defineEntity({
  name: "SagaRow",
  tableName: "sagas",
  properties: {
    orderId: p.uuid().primary(),
    kind: p.text(),
    status: p.text(),
    step: p.text(),
    failedStep: p.text().nullable(),
    attempts: p.integer(),
    stepStartTime: p.datetime(),
    nextAttemptTime: p.datetime(),
    paymentToken: p.text(),
    paymentWaitUntil: p.datetime().nullable(),
    cancelActor: p.text(),
    cancelReason: p.text(),
    cancelRefundMinor: p.bigint("bigint"),
    failureCode: p.text(),
    failureReason: p.text(),
    leaseOwner: p.text().nullable(),
    leaseExpireTime: p.datetime().nullable(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});

export const ReturnRow = defineEntity({
  name: "ReturnRow",
  tableName: "returns",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    status: p.text(),
    lines: p.json<unknown[]>(),
    reason: p.text(),
    note: p.text(),
    refundMinor: p.bigint("bigint"),
    currency: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});

export const RefundRow = defineEntity({
  name: "RefundRow",
  tableName: "refunds",
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    idempotencyKey: p.text(),
    amountMinor: p.bigint("bigint"),
    reason: p.text(),
    actor: p.text(),
    returnId: p.uuid().nullable(),
    status: p.text(),
    failure: p.text(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});

/** Every order entity, for createDb (with the kit's outbox entities). */
export const ORDER_ENTITIES = [OrderRow, OrderHistoryRow, SagaRow, ReturnRow, RefundRow];
