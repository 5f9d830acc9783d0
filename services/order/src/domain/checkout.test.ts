import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  type CartLineInput,
  type CheckoutRequest,
  checkCheckoutRequest,
  checkoutFingerprint,
  orderLinesFromCart,
} from "./checkout.ts";

const request: CheckoutRequest = {
  idempotencyKey: "k-1",
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
  paymentToken: "tok_sandbox_visa",
};

const cartLine = (sku: string, overrides: Partial<CartLineInput> = {}): CartLineInput => ({
  sku,
  quantity: 1,
  productId: "p",
  variantId: "v",
  productName: "P",
  title: "T",
  unitPriceMinor: 1000n,
  currency: "EUR",
  weightGrams: 100,
  purchasable: true,
  ...overrides,
});

describe("PlaceOrder input", () => {
  it("names every bad field", () => {
    const fields = checkCheckoutRequest({
      idempotencyKey: "",
      shippingAddress: { ...request.shippingAddress!, city: " ", countryCode: "de" },
      shippingMethod: undefined,
      paymentToken: "",
    }).map((v) => v.field);
    expect(fields).toEqual([
      "idempotencyKey",
      "shippingAddress.city",
      "shippingAddress.countryCode",
      "shippingMethod",
      "paymentToken",
    ]);
    expect(checkCheckoutRequest(request)).toEqual([]);
    // A well-formed code that is no country is bad input, not a checkout that fails later.
    expect(
      checkCheckoutRequest({
        ...request,
        shippingAddress: { ...request.shippingAddress!, countryCode: "ZZ" },
      }),
    ).toEqual([
      { field: "shippingAddress.countryCode", description: "must be an ISO 3166-1 alpha-2 country code" },
    ]);
    expect(checkCheckoutRequest({ ...request, idempotencyKey: "x".repeat(256) })[0]?.field).toBe(
      "idempotencyKey",
    );
    expect(checkCheckoutRequest({ ...request, shippingAddress: undefined })[0]?.field).toBe(
      "shippingAddress",
    );
  });

  it("fingerprints the request: equal for the same fields, different for any change", () => {
    expect(checkoutFingerprint(request)).toBe(checkoutFingerprint({ ...request, idempotencyKey: "other" }));
    expect(checkoutFingerprint(request)).not.toBe(
      checkoutFingerprint({ ...request, shippingMethod: "express" }),
    );
    expect(checkoutFingerprint(request)).not.toBe(checkoutFingerprint({ ...request, paymentToken: "tok_b" }));
    expect(checkoutFingerprint(request)).not.toBe(
      checkoutFingerprint({ ...request, shippingAddress: { ...request.shippingAddress!, line2: "c/o" } }),
    );
  });
});

describe("order lines from a cart", () => {
  it("copies the priced lines", () => {
    const { lines, currency } = orderLinesFromCart([cartLine("A", { quantity: 2 }), cartLine("B")]);
    expect(currency).toBe("EUR");
    expect(lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.returnedQuantity])).toEqual([
      ["A", 2, 1000n, 0],
      ["B", 1, 1000n, 0],
    ]);
  });

  it("refuses an empty cart and names lines that cannot be bought", () => {
    const error = (lines: CartLineInput[]) => {
      try {
        orderLinesFromCart(lines);
      } catch (e) {
        if (isDomainError(e)) return e;
      }
      throw new Error("expected a domain error");
    };
    expect(error([]).reason).toBe("CART_NOT_PURCHASABLE");
    const bad = error([
      cartLine("A"),
      cartLine("B", { purchasable: false }),
      cartLine("C", { currency: "USD" }),
    ]);
    expect(bad).toMatchObject({ reason: "CART_NOT_PURCHASABLE", metadata: { skus: "B,C" } });
  });
});
