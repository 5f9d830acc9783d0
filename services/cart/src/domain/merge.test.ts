import { describe, expect, it } from "vitest";
import { variant } from "../../test/fixtures.ts";
import { addItem, type Cart, MAX_LINES, newCart } from "./cart.ts";
import { mergeCarts } from "./merge.ts";

const t0 = new Date("2025-05-01T10:00:00Z");
const t1 = new Date("2025-05-02T10:00:00Z");

function cartWith(userId: string, items: [sku: string, quantity: number, currency?: string][]): Cart {
  let cart = newCart({ id: `cart-${userId || "guest"}`, userId, now: t0 });
  for (const [sku, quantity, currency = "EUR"] of items) {
    cart = addItem(
      cart,
      { sku, quantity },
      variant(sku, 100n, { price: { amountMinor: 100n, currency } }),
      t0,
    );
  }
  return cart;
}

const quantities = (cart: Cart) => cart.lines.map((line) => [line.sku, line.quantity]);

describe("mergeCarts", () => {
  it("sums quantities of shared SKUs and appends the guest's other lines in order", () => {
    const user = cartWith("u1", [
      ["A", 1],
      ["B", 2],
    ]);
    const guest = cartWith("", [
      ["C", 1],
      ["B", 3],
      ["D", 4],
    ]);
    const { cart, skipped, capped } = mergeCarts(user, guest, t1);
    expect(quantities(cart)).toEqual([
      ["A", 1],
      ["B", 5],
      ["C", 1],
      ["D", 4],
    ]);
    expect(cart).toMatchObject({ id: "cart-u1", userId: "u1", updateTime: t1 });
    expect(skipped).toEqual([]);
    expect(capped).toEqual([]);
  });

  it("caps a summed quantity at 99 and says which SKUs were capped", () => {
    const { cart, capped } = mergeCarts(cartWith("u1", [["A", 60]]), cartWith("", [["A", 50]]), t1);
    expect(quantities(cart)).toEqual([["A", 99]]);
    expect(capped).toEqual(["A"]);
  });

  it("skips guest lines beyond the line limit", () => {
    const many = Array.from({ length: MAX_LINES - 1 }, (_, i): [string, number] => [`U${i}`, 1]);
    const { cart, skipped } = mergeCarts(
      cartWith("u1", many),
      cartWith("", [
        ["G1", 1],
        ["U0", 1],
        ["G2", 1],
      ]),
      t1,
    );
    expect(cart.lines).toHaveLength(MAX_LINES);
    expect(cart.lines.at(-1)!.sku).toBe("G1");
    expect(cart.lines[0]!.quantity).toBe(2);
    expect(skipped).toEqual(["G2"]);
  });

  it("skips guest lines in another currency than the user's cart", () => {
    const { cart, skipped } = mergeCarts(cartWith("u1", [["A", 1]]), cartWith("", [["B", 1, "USD"]]), t1);
    expect(quantities(cart)).toEqual([["A", 1]]);
    expect(skipped).toEqual(["B"]);
  });

  it("takes the guest's lines and currency into an empty user cart", () => {
    const { cart } = mergeCarts(cartWith("u1", []), cartWith("", [["B", 2, "USD"]]), t1);
    expect(quantities(cart)).toEqual([["B", 2]]);
    expect(cart.lines[0]!.priceWhenAdded.currency).toBe("USD");
  });

  it("leaves the user's cart as it is for an empty guest cart", () => {
    const user = cartWith("u1", [["A", 1]]);
    expect(mergeCarts(user, cartWith("", []), t1).cart).toBe(user);
  });
});
