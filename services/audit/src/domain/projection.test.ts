import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import { ProductCreatedSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import {
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderFailedSchema,
  OrderRefundedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { PaymentFailedSchema } from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { describe, expect, it } from "vitest";
import { projectEvent, UNKNOWN_CODE } from "./projection.ts";

const placed = new Date("2026-03-01T23:59:00Z");
const later = new Date("2026-03-02T00:05:00Z");
const order = {
  id: "o-1",
  createTime: timestampFromDate(placed),
  total: { amountMinor: 3500n, currency: "EUR" },
  lines: [
    {
      sku: "MUG",
      productId: "p-1",
      productName: "Mug",
      quantity: 2,
      lineTotal: { amountMinor: 2000n, currency: "EUR" },
    },
    {
      sku: "TEE",
      productId: "p-2",
      productName: "Tee",
      quantity: 1,
      lineTotal: { amountMinor: 1500n, currency: "EUR" },
    },
  ],
};

describe("projectEvent", () => {
  it("counts a confirmed order, its revenue and its lines on the day it was placed", () => {
    const changes = projectEvent({
      type: OrderConfirmedSchema.typeName,
      time: later,
      data: create(OrderConfirmedSchema, { order }),
    });
    expect(changes).toEqual([
      {
        kind: "add",
        table: "orders_daily",
        key: { day: "2026-03-01", currency: "EUR" },
        add: { orders_confirmed: 1n, revenue_minor: 3500n },
      },
      {
        kind: "add",
        table: "product_sales_daily",
        key: { day: "2026-03-01", currency: "EUR", sku: "MUG" },
        add: { units: 2n, revenue_minor: 2000n },
      },
      { kind: "product_name", sku: "MUG", productId: "p-1", productName: "Mug", seenTime: later },
      {
        kind: "add",
        table: "product_sales_daily",
        key: { day: "2026-03-01", currency: "EUR", sku: "TEE" },
        add: { units: 1n, revenue_minor: 1500n },
      },
      { kind: "product_name", sku: "TEE", productId: "p-2", productName: "Tee", seenTime: later },
    ]);
  });

  it("counts refunds and cancellations on their own day", () => {
    expect(
      projectEvent({
        type: OrderRefundedSchema.typeName,
        time: later,
        data: create(OrderRefundedSchema, { order, amount: { amountMinor: 500n, currency: "EUR" } }),
      }),
    ).toEqual([
      {
        kind: "add",
        table: "orders_daily",
        key: { day: "2026-03-02", currency: "EUR" },
        add: { refunds: 1n, refunded_minor: 500n },
      },
    ]);
    expect(
      projectEvent({
        type: OrderCancelledSchema.typeName,
        time: later,
        data: create(OrderCancelledSchema, { order }),
      }),
    ).toEqual([
      {
        kind: "add",
        table: "orders_daily",
        key: { day: "2026-03-02", currency: "EUR" },
        add: { orders_cancelled: 1n },
      },
    ]);
  });

  it("counts failed orders and payments by failure code", () => {
    expect(
      projectEvent({
        type: OrderFailedSchema.typeName,
        time: later,
        data: create(OrderFailedSchema, { order: { ...order, failureCode: "OUT_OF_STOCK" } }),
      })[1],
    ).toEqual({
      kind: "add",
      table: "failed_orders_daily",
      key: { day: "2026-03-01", currency: "EUR", failure_code: "OUT_OF_STOCK" },
      add: { orders: 1n },
    });
    expect(
      projectEvent({
        type: PaymentFailedSchema.typeName,
        time: later,
        data: create(PaymentFailedSchema, {
          paymentIntent: { amount: { amountMinor: 900n, currency: "USD" } },
        }),
      }),
    ).toEqual([
      {
        kind: "add",
        table: "failed_payments_daily",
        key: { day: "2026-03-02", currency: "USD", failure_code: UNKNOWN_CODE },
        add: { payments: 1n, amount_minor: 900n },
      },
    ]);
  });

  it("counts a cart on the day it was created, the event's day when the cart names none", () => {
    expect(
      projectEvent({
        type: CartCreatedSchema.typeName,
        time: later,
        data: create(CartCreatedSchema, { cartId: "c-1", createTime: timestampFromDate(placed) }),
      }),
    ).toEqual([
      { kind: "add", table: "carts_daily", key: { day: "2026-03-01" }, add: { carts_created: 1n } },
    ]);
    expect(
      projectEvent({
        type: CartCreatedSchema.typeName,
        time: later,
        data: create(CartCreatedSchema, { cartId: "c-2" }),
      }),
    ).toEqual([
      { kind: "add", table: "carts_daily", key: { day: "2026-03-02" }, add: { carts_created: 1n } },
    ]);
  });

  it("counts a signup and ignores events the dashboard does not use", () => {
    expect(
      projectEvent({ type: UserRegisteredSchema.typeName, time: later, data: create(UserRegisteredSchema) }),
    ).toEqual([{ kind: "add", table: "signups_daily", key: { day: "2026-03-02" }, add: { signups: 1n } }]);
    expect(
      projectEvent({ type: ProductCreatedSchema.typeName, time: later, data: create(ProductCreatedSchema) }),
    ).toEqual([]);
  });
});
