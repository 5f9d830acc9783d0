import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  OrderHistoryEntrySchema,
  OrderSchema as OrderMessage,
  OrderStatus,
} from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { describe, expect, it } from "vitest";
import {
  historyJson,
  orderJson,
  orderSummaryJson,
  placeOrderFields,
  searchOrdersRequest,
} from "./mappers.ts";
import { AdminOrderQuerySchema, CheckoutSchema } from "./schemas.ts";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const placed = new Date("2025-03-01T10:00:00.000Z");

function order(overrides: Omit<MessageInitShape<typeof OrderMessage>, "$typeName"> = {}) {
  return create(OrderMessage, {
    id: "o-1",
    customerId: "u-1",
    status: OrderStatus.CONFIRMED,
    lines: [
      {
        sku: "TEE-M",
        productName: "Tee",
        title: "M",
        quantity: 2,
        unitPrice: eur(1999n),
        lineTotal: eur(3998n),
      },
      { sku: "CAP", productName: "Cap", title: "", quantity: 1, unitPrice: eur(999n), lineTotal: eur(999n) },
    ],
    subtotal: eur(4997n),
    shippingTotal: eur(495n),
    total: eur(5492n),
    shippingAddress: {
      recipient: "Ada",
      line1: "1 St",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
    },
    shippingMethod: ShippingMethod.EXPRESS,
    paymentIntentId: "pi-1",
    paymentBrand: "visa",
    paymentLast4: "4242",
    createTime: timestampFromDate(placed),
    updateTime: timestampFromDate(placed),
    ...overrides,
  });
}

describe("orderJson", () => {
  it("renders statuses and methods as lower-case names and money in minor units", () => {
    const json = orderJson(order());
    expect(json).toMatchObject({
      status: "confirmed",
      shippingMethod: "express",
      itemCount: 3,
      total: { amountMinor: 5492, currency: "EUR" },
      payment: { intentId: "pi-1", brand: "visa", last4: "4242" },
      shipment: null,
      failure: null,
      createTime: "2025-03-01T10:00:00.000Z",
    });
    expect(json.lines[0]).toMatchObject({
      sku: "TEE-M",
      quantity: 2,
      lineTotal: { amountMinor: 3998, currency: "EUR" },
    });
    expect(json.shippingAddress).toEqual({
      recipient: "Ada",
      line1: "1 St",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
    });
  });

  it("reads an unset refunded total as zero in the order's currency", () => {
    expect(orderJson(order()).refundedTotal).toEqual({ amountMinor: 0, currency: "EUR" });
  });

  it("says why a checkout failed, and snake-cases two-word statuses", () => {
    const failed = orderJson(
      order({
        status: OrderStatus.FAILED,
        paymentIntentId: "",
        failureCode: "PAYMENT_DECLINED",
        failureReason: "no",
      }),
    );
    expect(failed).toMatchObject({ status: "failed", payment: null, failure: { code: "PAYMENT_DECLINED" } });
    expect(orderJson(order({ status: OrderStatus.PARTIALLY_REFUNDED })).status).toBe("partially_refunded");
  });

  it("calls a status newer than the BFF unknown rather than guessing", () => {
    expect(orderJson(order({ status: 42 as OrderStatus })).status).toBe("unknown");
  });
});

describe("historyJson and orderSummaryJson", () => {
  it("has no from status for the order's creation", () => {
    const entry = create(OrderHistoryEntrySchema, {
      fromStatus: OrderStatus.UNSPECIFIED,
      toStatus: OrderStatus.PENDING,
      actor: "user:u-1",
    });
    expect(historyJson(entry)).toMatchObject({ from: null, to: "pending", actor: "user:u-1" });
  });

  it("shows the total, the units and the first line's name on mobile's tile", () => {
    expect(orderSummaryJson(order())).toEqual({
      id: "o-1",
      status: "confirmed",
      total: { amountMinor: 5492, currency: "EUR" },
      itemCount: 3,
      firstLineName: "Tee",
      createTime: "2025-03-01T10:00:00.000Z",
    });
  });
});

describe("requests", () => {
  it("turns the checkout body into PlaceOrder's fields, country code upper-cased", () => {
    const body = CheckoutSchema.parse({
      shippingAddress: {
        recipient: "Ada",
        line1: "1 St",
        city: "Berlin",
        postalCode: "10115",
        countryCode: "de",
      },
      shippingMethod: "standard",
      paymentToken: "tok_sandbox_visa",
    });
    expect(placeOrderFields(body)).toMatchObject({
      shippingMethod: ShippingMethod.STANDARD,
      shippingAddress: { countryCode: "DE" },
      paymentToken: "tok_sandbox_visa",
    });
  });

  it("turns the admin search into SearchOrders, statuses from repeats and comma lists alike", () => {
    const query = AdminOrderQuerySchema.parse({
      status: ["confirmed,shipped", "Shipped"],
      from: "2025-01-01T00:00:00+01:00",
      maxTotal: "10000",
    });
    const request = searchOrdersRequest(query);
    expect(request.statuses).toEqual([OrderStatus.CONFIRMED, OrderStatus.SHIPPED]);
    expect(timestampDate(request.createTimeFrom as never).toISOString()).toBe("2024-12-31T23:00:00.000Z");
    expect(request.createTimeTo).toBeUndefined();
    expect(request).toMatchObject({ minTotalMinor: 0n, maxTotalMinor: 10000n, customerId: "" });
  });
});
