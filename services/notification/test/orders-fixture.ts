import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { type Order, OrderSchema, OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShippingMethod } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { newId } from "@shopmesh/kit/ids";

/** An order as the order service puts it into its events (its domain/messages.ts orderMessage). */
export function confirmedOrder(
  customerId: string,
  options: { id?: string; trackingNumber?: string; refundedMinor?: bigint } = {},
): Order {
  const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
  return create(OrderSchema, {
    id: options.id ?? newId(),
    customerId,
    status: OrderStatus.CONFIRMED,
    lines: [
      {
        sku: "TEE-BLK-M",
        productId: newId(),
        variantId: newId(),
        productName: "Organic Tee",
        title: "Black / M",
        quantity: 2,
        unitPrice: eur(1999n),
        lineTotal: eur(3998n),
        weightGrams: 200,
      },
      {
        sku: "MUG-1",
        productId: newId(),
        variantId: newId(),
        productName: "Mug & Saucer",
        title: "",
        quantity: 1,
        unitPrice: eur(1250n),
        lineTotal: eur(1250n),
        weightGrams: 400,
      },
    ],
    subtotal: eur(5248n),
    shippingTotal: eur(490n),
    total: eur(5738n),
    refundedTotal: eur(options.refundedMinor ?? 0n),
    shippingAddress: {
      recipient: "Ada Lovelace",
      line1: "Hauptstraße 1",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
      phone: "+4930123456",
    },
    shippingMethod: ShippingMethod.STANDARD,
    paymentIntentId: newId(),
    paymentBrand: "visa",
    paymentLast4: "4242",
    shipmentId: newId(),
    trackingNumber: options.trackingNumber ?? "SIM0000000001",
    carrier: "simcarrier",
    createTime: timestampNow(),
    updateTime: timestampNow(),
    version: 5n,
  });
}
