import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { variant } from "../../test/fixtures.ts";
import {
  addItem,
  type Cart,
  cartCurrency,
  clearCart,
  MAX_LINES,
  newCart,
  removeItem,
  updateItem,
  validateAddItem,
} from "./cart.ts";

const t0 = new Date("2025-05-01T10:00:00Z");
const t1 = new Date("2025-05-01T11:00:00Z");

function empty(): Cart {
  return newCart({ id: "0196a000-0000-7000-8000-000000000001", userId: "", now: t0 });
}

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("addItem", () => {
  it("appends a new line with the current price as the price when added", () => {
    const cart = addItem(empty(), { sku: "TEE-1", quantity: 2 }, variant("TEE-1", 1999n), t1);
    expect(cart.lines).toEqual([
      {
        sku: "TEE-1",
        quantity: 2,
        priceWhenAdded: { amountMinor: 1999n, currency: "EUR" },
        productName: "Product TEE-1",
        title: "Blue / M",
        addTime: t1,
      },
    ]);
    expect(cart.updateTime).toEqual(t1);
    expect(cartCurrency(cart)).toBe("EUR");
  });

  it("sums the quantity of a SKU already in the cart, keeps its place and records the new price", () => {
    let cart = addItem(empty(), { sku: "A", quantity: 1 }, variant("A", 100n), t0);
    cart = addItem(cart, { sku: "B", quantity: 1 }, variant("B", 200n), t0);
    cart = addItem(cart, { sku: "A", quantity: 3 }, variant("A", 120n), t1);
    expect(cart.lines.map((line) => [line.sku, line.quantity])).toEqual([
      ["A", 4],
      ["B", 1],
    ]);
    expect(cart.lines[0]).toMatchObject({ priceWhenAdded: { amountMinor: 120n }, addTime: t0 });
  });

  it("refuses to pass 99 units in one line, naming quantity", () => {
    const cart = addItem(empty(), { sku: "A", quantity: 98 }, variant("A", 100n), t0);
    expect(addItem(cart, { sku: "A", quantity: 1 }, variant("A", 100n), t1).lines[0]!.quantity).toBe(99);
    const error = caught(() => addItem(cart, { sku: "A", quantity: 2 }, variant("A", 100n), t1));
    expect(error.kind).toBe("invalid");
    expect(error.violations.map((v) => v.field)).toEqual(["quantity"]);
  });

  it("checks the SKU format and the quantity range before anything else", () => {
    for (const quantity of [0, -1, 100, 1.5]) {
      expect(caught(() => validateAddItem({ sku: "A", quantity })).violations).toEqual([
        { field: "quantity", description: "must be from 1 to 99" },
      ]);
    }
    for (const sku of ["", " A", "A B", "-A", "A,B", "x".repeat(65), "ä"]) {
      expect(caught(() => validateAddItem({ sku, quantity: 1 })).violations.map((v) => v.field)).toEqual([
        "sku",
      ]);
    }
    expect(() => validateAddItem({ sku: "Tee_1.blue-M", quantity: 99 })).not.toThrow();
    expect(() => validateAddItem({ sku: "x".repeat(64), quantity: 1 })).not.toThrow();
  });

  it("answers not_found naming sku for a SKU catalog does not know", () => {
    const error = caught(() => addItem(empty(), { sku: "GHOST", quantity: 1 }, undefined, t1));
    expect(error.kind).toBe("not_found");
    expect(error.violations.map((v) => v.field)).toEqual(["sku"]);
  });

  it("answers failed_precondition naming sku for a SKU catalog does not sell", () => {
    const error = caught(() =>
      addItem(empty(), { sku: "OLD", quantity: 1 }, variant("OLD", 100n, { purchasable: false }), t1),
    );
    expect(error.kind).toBe("failed_precondition");
    expect(error.violations.map((v) => v.field)).toEqual(["sku"]);
  });

  it("keeps one currency per cart", () => {
    const cart = addItem(empty(), { sku: "A", quantity: 1 }, variant("A", 100n), t0);
    const usd = variant("B", 100n, { price: { amountMinor: 100n, currency: "USD" } });
    const error = caught(() => addItem(cart, { sku: "B", quantity: 1 }, usd, t1));
    expect(error.kind).toBe("failed_precondition");
    expect(error.message).toContain("USD");
    expect(error.violations.map((v) => v.field)).toEqual(["sku"]);
    // A cart that holds only that SKU follows catalog's new currency for it.
    const moved = variant("A", 110n, { price: { amountMinor: 110n, currency: "USD" } });
    expect(cartCurrency(addItem(cart, { sku: "A", quantity: 1 }, moved, t1))).toBe("USD");
  });

  it("refuses a new line in a full cart but still sums an existing one", () => {
    let cart = empty();
    for (let i = 0; i < MAX_LINES; i++)
      cart = addItem(cart, { sku: `S${i}`, quantity: 1 }, variant(`S${i}`, 1n), t0);
    const error = caught(() => addItem(cart, { sku: "ONE-MORE", quantity: 1 }, variant("ONE-MORE", 1n), t1));
    expect(error.kind).toBe("failed_precondition");
    expect(addItem(cart, { sku: "S0", quantity: 1 }, variant("S0", 1n), t1).lines[0]!.quantity).toBe(2);
  });
});

describe("updateItem, removeItem and clearCart", () => {
  const base = addItem(
    addItem(empty(), { sku: "A", quantity: 2 }, variant("A", 100n), t0),
    { sku: "B", quantity: 1 },
    variant("B", 50n),
    t0,
  );

  it("sets a line's quantity", () => {
    const cart = updateItem(base, { sku: "B", quantity: 7 }, t1);
    expect(cart.lines.map((line) => line.quantity)).toEqual([2, 7]);
    expect(cart.updateTime).toEqual(t1);
  });

  it("removes the line for quantity 0", () => {
    expect(updateItem(base, { sku: "A", quantity: 0 }, t1).lines.map((line) => line.sku)).toEqual(["B"]);
  });

  it("answers not_found naming sku for a SKU not in the cart, and invalid for a bad quantity", () => {
    const missing = caught(() => updateItem(base, { sku: "C", quantity: 1 }, t1));
    expect(missing.kind).toBe("not_found");
    expect(missing.violations.map((v) => v.field)).toEqual(["sku"]);
    expect(caught(() => updateItem(base, { sku: "A", quantity: 100 }, t1)).violations).toEqual([
      { field: "quantity", description: "must be from 0 to 99" },
    ]);
  });

  it("removes a line, and removing it again changes nothing", () => {
    const cart = removeItem(base, "A", t1);
    expect(cart.lines.map((line) => line.sku)).toEqual(["B"]);
    expect(removeItem(cart, "A", t1)).toBe(cart);
    expect(caught(() => removeItem(base, "", t1)).violations.map((v) => v.field)).toEqual(["sku"]);
  });

  it("clears every line and keeps the cart's identity", () => {
    const cart = clearCart(base, t1);
    expect(cart).toMatchObject({ id: base.id, lines: [], updateTime: t1 });
    expect(cartCurrency(cart)).toBe("");
    expect(clearCart(cart, t1)).toBe(cart);
  });
});
