import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CartCreatedSchema } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import {
  EmailVerificationRequestedSchema,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import {
  OrderCancelledSchema,
  OrderConfirmedSchema,
  OrderFailedSchema,
  OrderPlacedSchema,
  OrderRefundedSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { PaymentFailedSchema } from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import type { TestPublisher } from "./support.ts";

/**
 * A small day of trading, published as the services would: two signups, four checkouts (three
 * in EUR, one in USD; one fails for lack of stock), a partial refund, a cancellation with its
 * full refund and a declined payment; then the carts: five created today (four guests', one
 * user's) and one created yesterday whose event came late. The expected dashboard figures are in
 * EXPECTED.
 */

export const VERIFICATION_TOKEN = "verification-token-that-must-not-leak";

export interface Scenario {
  customerId: string;
  /** The EUR order with a partial refund. */
  firstOrderId: string;
  /** Event ids, in publishing order. */
  eventIds: string[];
  /** Entries the scenario adds to the log. */
  entries: number;
}

const line = (sku: string, name: string, quantity: number, unitMinor: bigint, currency: string) => ({
  sku,
  productId: `product-${sku}`,
  productName: name,
  quantity,
  unitPrice: { amountMinor: unitMinor, currency },
  lineTotal: { amountMinor: unitMinor * BigInt(quantity), currency },
});

export async function publishScenario(publisher: TestPublisher): Promise<Scenario> {
  const customerId = randomUUID();
  const eventIds: string[] = [];
  const actor = `user:${customerId}`;
  const publish: TestPublisher["publish"] = async (...args) => {
    const id = await publisher.publish(...args);
    eventIds.push(id);
    return id;
  };

  for (const name of ["Ada", "Grace"]) {
    const userId = name === "Ada" ? customerId : randomUUID();
    await publish(
      "identity",
      UserRegisteredSchema,
      { userId, email: `${name.toLowerCase()}@example.com`, displayName: name },
      { aggregateId: userId, meta: { actor: "service:identity", correlationId: randomUUID() } },
    );
  }
  await publish(
    "identity",
    EmailVerificationRequestedSchema,
    { userId: customerId, email: "ada@example.com", token: VERIFICATION_TOKEN },
    { aggregateId: customerId, meta: { actor: "service:identity" } },
  );

  const createTime = timestampFromDate(new Date());
  const checkout = async (
    lines: ReturnType<typeof line>[],
    shippingMinor: bigint,
    outcome: "confirmed" | "failed",
  ) => {
    const id = randomUUID();
    const correlationId = randomUUID();
    const currency = lines[0]!.lineTotal.currency;
    const subtotal = lines.reduce((sum, l) => sum + l.lineTotal.amountMinor, 0n);
    const order = {
      id,
      customerId,
      lines,
      subtotal: { amountMinor: subtotal, currency },
      shippingTotal: { amountMinor: shippingMinor, currency },
      total: { amountMinor: subtotal + shippingMinor, currency },
      shippingAddress: {
        recipient: "Ada Lovelace",
        line1: "1 Analytical Way",
        city: "London",
        countryCode: "GB",
      },
      createTime,
    };
    const meta = { actor, correlationId };
    await publish(
      "order",
      OrderPlacedSchema,
      { order: { ...order, status: OrderStatus.PENDING } },
      { aggregateId: id, meta },
    );
    if (outcome === "confirmed") {
      await publish(
        "order",
        OrderConfirmedSchema,
        { order: { ...order, status: OrderStatus.CONFIRMED } },
        { aggregateId: id, meta: { ...meta, actor: "service:order" } },
      );
    } else {
      await publish(
        "order",
        OrderFailedSchema,
        { order: { ...order, status: OrderStatus.FAILED, failureCode: "OUT_OF_STOCK" } },
        { aggregateId: id, meta: { ...meta, actor: "service:order" } },
      );
    }
    return { id, order, meta };
  };

  const first = await checkout(
    [line("MUG", "Mug", 2, 1000n, "EUR"), line("TEE", "Tee", 1, 1500n, "EUR")],
    0n,
    "confirmed",
  );
  const second = await checkout([line("MUG", "Mug", 1, 1000n, "EUR")], 200n, "confirmed");
  await checkout([line("LAMP", "Lamp", 1, 9900n, "EUR")], 0n, "failed");
  await checkout([line("TEE", "Tee", 2, 2500n, "USD")], 0n, "confirmed");

  await publish(
    "order",
    OrderRefundedSchema,
    { order: first.order, amount: { amountMinor: 500n, currency: "EUR" }, reason: "scratched" },
    { aggregateId: first.id, meta: { actor: "user:0190a000-0000-7000-8000-00000000a001" } },
  );
  await publish(
    "order",
    OrderRefundedSchema,
    { order: second.order, amount: { amountMinor: 1200n, currency: "EUR" }, reason: "cancelled" },
    { aggregateId: second.id, meta: second.meta },
  );
  await publish(
    "order",
    OrderCancelledSchema,
    { order: second.order, reason: "changed my mind" },
    {
      aggregateId: second.id,
      meta: second.meta,
    },
  );
  await publish(
    "payment",
    PaymentFailedSchema,
    {
      paymentIntent: {
        id: randomUUID(),
        orderId: randomUUID(),
        customerId,
        amount: { amountMinor: 900n, currency: "EUR" },
        failureCode: "card_declined",
      },
    },
    { meta: { actor: "service:payment" } },
  );

  // Last, so the indexes of the events above stay put. Guest carts carry no actor.
  const now = new Date();
  const yesterday = new Date(now.getTime() - 86_400_000);
  for (const [userId, created] of [
    ["", now],
    ["", now],
    ["", now],
    ["", now],
    [randomUUID(), now],
    ["", yesterday],
  ] as const) {
    const cartId = randomUUID();
    await publish(
      "cart",
      CartCreatedSchema,
      { cartId, userId, createTime: timestampFromDate(created) },
      { aggregateId: cartId, meta: userId ? { actor: `user:${userId}` } : {} },
    );
  }

  return { customerId, firstOrderId: first.id, eventIds, entries: eventIds.length };
}

/** The dashboard's totals after the scenario (for the default range, which includes today). */
export const EXPECTED = {
  EUR: {
    currency: "EUR",
    ordersPlaced: 3n,
    ordersConfirmed: 2n,
    ordersFailed: 1n,
    ordersCancelled: 1n,
    revenue: { amountMinor: 4700n, currency: "EUR" },
    refunded: { amountMinor: 1700n, currency: "EUR" },
    netRevenue: { amountMinor: 3000n, currency: "EUR" },
    averageOrderValue: { amountMinor: 2350n, currency: "EUR" },
    paymentsFailed: 1n,
    failedPaymentAmount: { amountMinor: 900n, currency: "EUR" },
  },
  USD: {
    currency: "USD",
    ordersPlaced: 1n,
    ordersConfirmed: 1n,
    ordersFailed: 0n,
    ordersCancelled: 0n,
    revenue: { amountMinor: 5000n, currency: "USD" },
    refunded: { amountMinor: 0n, currency: "USD" },
    netRevenue: { amountMinor: 5000n, currency: "USD" },
    averageOrderValue: { amountMinor: 5000n, currency: "USD" },
    checkoutSuccessRate: 1,
    checkoutConversion: 1,
    paymentsFailed: 0n,
  },
  signups: 2n,
  /** Carts -> orders over the default range: 4 orders placed (every currency) / 6 carts. */
  carts: { cartsCreated: 6n, ordersPlaced: 4n, cartConversion: 4 / 6 },
  /** Per day, oldest first: yesterday's late cart, then today's five carts and four orders. */
  dailyCartConversion: (today: Date) => [
    {
      date: new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10),
      cartsCreated: 1n,
      ordersPlaced: 0n,
      conversion: 0,
    },
    { date: today.toISOString().slice(0, 10), cartsCreated: 5n, ordersPlaced: 4n, conversion: 0.8 },
  ],
  topProducts: [
    {
      sku: "MUG",
      currency: "EUR",
      units: 3n,
      revenue: { amountMinor: 3000n, currency: "EUR" },
      productName: "Mug",
    },
    {
      sku: "TEE",
      currency: "USD",
      units: 2n,
      revenue: { amountMinor: 5000n, currency: "USD" },
      productName: "Tee",
    },
    {
      sku: "TEE",
      currency: "EUR",
      units: 1n,
      revenue: { amountMinor: 1500n, currency: "EUR" },
      productName: "Tee",
    },
  ],
};
