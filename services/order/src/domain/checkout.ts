import { createHash } from "node:crypto";
import { checkCountryCode } from "@shopmesh/kit/countries";
import { type FieldViolation, failedPrecondition } from "@shopmesh/kit/errors";
import type { OrderLine, PostalAddress, ShippingMethodName } from "./order.ts";

/** What PlaceOrder asks for, besides the cart (which is read from the cart service). */
export interface CheckoutRequest {
  idempotencyKey: string;
  shippingAddress: PostalAddress | undefined;
  shippingMethod: ShippingMethodName | undefined;
  paymentToken: string;
}

export const MAX_KEY_LENGTH = 255;
const PRINTABLE = /^[\x20-\x7e]+$/;

/** Violations of an idempotency key: 1-255 printable ASCII characters. */
export function checkIdempotencyKey(key: string, field = "idempotencyKey"): FieldViolation[] {
  if (key.length === 0) return [{ field, description: "is required" }];
  if (key.length > MAX_KEY_LENGTH || !PRINTABLE.test(key)) {
    return [{ field, description: `must be 1-${MAX_KEY_LENGTH} printable ASCII characters` }];
  }
  return [];
}

/** Violations of a PlaceOrder request, naming the proto fields. */
export function checkCheckoutRequest(request: CheckoutRequest): FieldViolation[] {
  const violations = checkIdempotencyKey(request.idempotencyKey);
  const address = request.shippingAddress;
  if (!address) {
    violations.push({ field: "shippingAddress", description: "is required" });
  } else {
    for (const field of ["recipient", "line1", "city", "postalCode"] as const) {
      if (address[field].trim() === "") {
        violations.push({ field: `shippingAddress.${field}`, description: "is required" });
      } else if (address[field].length > 200) {
        violations.push({ field: `shippingAddress.${field}`, description: "must be at most 200 characters" });
      }
    }
    violations.push(...checkCountryCode(address.countryCode, "shippingAddress.countryCode"));
  }
  if (!request.shippingMethod) {
    violations.push({ field: "shippingMethod", description: "must be STANDARD or EXPRESS" });
  }
  if (request.paymentToken.length === 0) {
    violations.push({ field: "paymentToken", description: "is required" });
  } else if (request.paymentToken.length > MAX_KEY_LENGTH || !PRINTABLE.test(request.paymentToken)) {
    violations.push({ field: "paymentToken", description: "must be 1-255 printable ASCII characters" });
  }
  return violations;
}

/**
 * A stable hash of the request fields an idempotency key is bound to: the same key with a
 * request of another fingerprint is IDEMPOTENCY_KEY_REUSED. The cart is not part of it: the
 * key answers the order it created even after the cart changed.
 */
export function checkoutFingerprint(request: CheckoutRequest): string {
  const a = request.shippingAddress;
  const canonical = JSON.stringify([
    a ? [a.recipient, a.line1, a.line2, a.city, a.region, a.postalCode, a.countryCode, a.phone] : null,
    request.shippingMethod ?? null,
    request.paymentToken,
  ]);
  return createHash("sha256").update(canonical).digest("base64url");
}

/** A line of the customer's cart as the cart service priced it just now. */
export interface CartLineInput {
  sku: string;
  quantity: number;
  productId: string;
  variantId: string;
  productName: string;
  title: string;
  unitPriceMinor: bigint;
  currency: string;
  weightGrams: number;
  purchasable: boolean;
}

/**
 * The order lines of a cart, priced as the cart is now. An empty cart, a line that cannot be
 * bought, or lines in several currencies are FAILED_PRECONDITION CART_NOT_PURCHASABLE (metadata
 * "skus" names the lines at fault).
 */
export function orderLinesFromCart(lines: readonly CartLineInput[]): {
  lines: OrderLine[];
  currency: string;
} {
  if (lines.length === 0) throw failedPrecondition("the cart is empty", "CART_NOT_PURCHASABLE", { skus: "" });
  const currency = lines[0]!.currency;
  const bad = lines.filter(
    (line) =>
      !line.purchasable || line.currency !== currency || line.quantity < 1 || line.unitPriceMinor < 0n,
  );
  if (bad.length > 0 || currency === "") {
    const skus = (bad.length > 0 ? bad : lines).map((line) => line.sku).join(",");
    throw failedPrecondition(`the cart has lines that cannot be bought: ${skus}`, "CART_NOT_PURCHASABLE", {
      skus,
    });
  }
  return {
    currency,
    lines: lines.map((line) => ({
      sku: line.sku,
      productId: line.productId,
      variantId: line.variantId,
      productName: line.productName,
      title: line.title,
      quantity: line.quantity,
      unitPrice: line.unitPriceMinor,
      weightGrams: line.weightGrams,
      returnedQuantity: 0,
    })),
  };
}
