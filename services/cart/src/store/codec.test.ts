import { describe, expect, it } from "vitest";
import type { Cart } from "../domain/cart.ts";
import { decodeCart, encodeCart } from "./codec.ts";

describe("cart codec", () => {
  it("round-trips a cart with its version, dates and int64 amounts exactly", () => {
    const cart: Cart = {
      id: "0196a000-0000-7000-8000-000000000001",
      userId: "0196a000-0000-7000-8000-0000000000aa",
      createTime: new Date("2025-05-01T10:00:00.123Z"),
      updateTime: new Date("2025-05-02T10:00:00.456Z"),
      lines: [
        {
          sku: "TEE-1",
          quantity: 3,
          priceWhenAdded: { amountMinor: 9_223_372_036_854_775_807n, currency: "JPY" },
          productName: 'Tee "classic" ✓',
          title: "Blue / M",
          addTime: new Date("2025-05-01T10:00:00.789Z"),
        },
      ],
    };
    const text = encodeCart(cart, 7);
    expect(JSON.parse(text).v).toBe(7);
    expect(decodeCart(text)).toEqual({ cart, version: 7 });
  });
});
