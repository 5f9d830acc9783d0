import { describe, expect, it } from "vitest";
import type { Cart, CartLine } from "./cart.ts";
import { removeOrdered } from "./ordered.ts";

const before = new Date("2025-05-01T09:00:00Z");
const ordered = new Date("2025-05-01T10:00:00Z");
const after = new Date("2025-05-01T10:05:00Z");
const now = new Date("2025-05-01T11:00:00Z");

function line(sku: string, quantity: number, addTime = before): CartLine {
  return {
    sku,
    quantity,
    priceWhenAdded: { amountMinor: 1000n, currency: "EUR" },
    productName: `Product ${sku}`,
    title: "Default",
    addTime,
  };
}

function cart(lines: CartLine[]): Cart {
  return {
    id: "0196a000-0000-7000-8000-000000000001",
    userId: "u-1",
    lines,
    createTime: before,
    updateTime: before,
  };
}

describe("removeOrdered", () => {
  it("subtracts the ordered quantities and removes lines that reach 0", () => {
    const next = removeOrdered(
      cart([line("TEE", 3), line("MUG", 1), line("CAP", 2)]),
      [
        { sku: "TEE", quantity: 2 },
        { sku: "MUG", quantity: 1 },
      ],
      ordered,
      now,
    );
    expect(next.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ["TEE", 1],
      ["CAP", 2],
    ]);
    expect(next.updateTime).toBe(now);
  });

  it("removes a line when more was ordered than it holds, and sums repeated SKUs", () => {
    const next = removeOrdered(
      cart([line("TEE", 2)]),
      [
        { sku: "TEE", quantity: 1 },
        { sku: "TEE", quantity: 2 },
      ],
      ordered,
      now,
    );
    expect(next.lines).toEqual([]);
  });

  it("leaves lines first added after the order was placed whole", () => {
    const next = removeOrdered(
      cart([line("TEE", 2), line("MUG", 1, after)]),
      [
        { sku: "TEE", quantity: 2 },
        { sku: "MUG", quantity: 1 },
      ],
      ordered,
      now,
    );
    expect(next.lines.map((l) => [l.sku, l.quantity])).toEqual([["MUG", 1]]);
  });

  it("returns the same cart when nothing ordered is in it", () => {
    const same = cart([line("CAP", 2)]);
    expect(removeOrdered(same, [{ sku: "TEE", quantity: 1 }], ordered, now)).toBe(same);
    const empty = cart([]);
    expect(removeOrdered(empty, [{ sku: "TEE", quantity: 1 }], ordered, now)).toBe(empty);
  });
});
