import { type Order, type OrderLine, placeOrder } from "./order.ts";

/** Domain fixtures shared by the unit tests of this folder. */

export const T0 = new Date("2026-01-01T10:00:00Z");

/** An order line of `quantity` units of `sku` at `unitPrice` minor units. */
export function line(sku: string, quantity: number, unitPrice: bigint): OrderLine {
  return {
    sku,
    productId: `p-${sku}`,
    variantId: `v-${sku}`,
    productName: `Product ${sku}`,
    title: "Default",
    quantity,
    unitPrice,
    weightGrams: 250,
    returnedQuantity: 0,
  };
}

/** A PENDING order of 2 × A at 10.00 and 1 × B at 5.00 EUR. */
export function pendingOrder(): Order {
  return placeOrder(
    {
      id: "0190a000-0000-7000-8000-000000000001",
      customerId: "0190a000-0000-7000-8000-0000000000c1",
      lines: [line("A", 2, 1000n), line("B", 1, 500n)],
      currency: "EUR",
      shippingAddress: {
        recipient: "Ann",
        line1: "Main St 1",
        line2: "",
        city: "Berlin",
        region: "",
        postalCode: "10115",
        countryCode: "DE",
        phone: "",
      },
      shippingMethod: "standard",
      idempotencyKey: "key-1",
      requestFingerprint: "fp",
    },
    T0,
  ).order;
}
