import { fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashCartToken } from "../src/crypto/cart-token.ts";
import { Code, failure, startCart, startPeers, type TestCart, type TestPeers } from "./support.ts";

const DAY = 86_400;

let peers: TestPeers;
let cart: TestCart;

beforeAll(async () => {
  peers = await startPeers();
  cart = await startCart({ peers });
});

afterAll(async () => {
  await cart?.stop();
  await peers?.stop();
});

async function newGuest(): Promise<string> {
  return (await cart.client.createGuestCart({})).cartToken;
}

const lines = (c: { lines: { sku: string; quantity: number }[] } | undefined) =>
  c?.lines.map((line) => [line.sku, line.quantity]);

describe("guest carts", () => {
  it("creates an empty cart whose token is stored only as a hash", async () => {
    const { cartToken, cart: created } = await cart.client.createGuestCart({});
    expect(cartToken).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ userId: "", lines: [], itemCount: 0 });
    expect(created!.id).toMatch(/^[0-9a-f-]{36}$/);
    const keys = await cart.keys();
    expect(keys).toContain(`guest:${hashCartToken(cartToken)}`);
    expect(keys.join(" ")).not.toContain(cartToken.slice(3));
  });

  it("adds, updates, removes and clears items, priced by catalog", async () => {
    peers.put("G-MUG", 1250n, 40n);
    peers.put("G-TEE", 1999n, 40n);
    const cartToken = await newGuest();

    let result = (await cart.client.addItem({ cartToken, sku: "G-MUG", quantity: 2 })).cart;
    result = (await cart.client.addItem({ cartToken, sku: "G-TEE", quantity: 1 })).cart;
    result = (await cart.client.addItem({ cartToken, sku: "G-MUG", quantity: 1 })).cart;
    expect(lines(result)).toEqual([
      ["G-MUG", 3],
      ["G-TEE", 1],
    ]);
    expect(result!.lines[0]).toMatchObject({
      productName: "Product G-MUG",
      productSlug: "product-g-mug",
      imageUrl: "https://img.example/G-MUG.jpg",
      unitPrice: { amountMinor: 1250n, currency: "EUR" },
      lineTotal: { amountMinor: 3750n, currency: "EUR" },
      priceChanged: false,
      available: true,
      availableQuantity: 40n,
      purchasable: true,
    });
    expect(result!.subtotal).toMatchObject({ amountMinor: 5749n, currency: "EUR" });
    expect(result!.itemCount).toBe(4);

    result = (await cart.client.updateItem({ cartToken, sku: "G-TEE", quantity: 5 })).cart;
    expect(lines(result)).toEqual([
      ["G-MUG", 3],
      ["G-TEE", 5],
    ]);
    result = (await cart.client.updateItem({ cartToken, sku: "G-TEE", quantity: 0 })).cart;
    expect(lines(result)).toEqual([["G-MUG", 3]]);
    result = (await cart.client.removeItem({ cartToken, sku: "G-MUG" })).cart;
    expect(lines(result)).toEqual([]);
    // Removing what is not there is fine (RemoveItem is idempotent).
    result = (await cart.client.removeItem({ cartToken, sku: "G-MUG" })).cart;
    expect(lines(result)).toEqual([]);

    await cart.client.addItem({ cartToken, sku: "G-TEE", quantity: 2 });
    result = (await cart.client.clearCart({ cartToken })).cart;
    expect(result).toMatchObject({ lines: [], itemCount: 0, subtotal: { amountMinor: 0n, currency: "" } });
    expect((await cart.client.getCart({ cartToken })).cart!.lines).toEqual([]);
  });

  it("prices a read with one catalog call and one inventory call for all SKUs, as the cart service", async () => {
    for (const sku of ["R-1", "R-2", "R-3"]) peers.put(sku, 100n);
    const cartToken = await newGuest();
    for (const sku of ["R-1", "R-2", "R-3"]) await cart.client.addItem({ cartToken, sku, quantity: 1 });
    const before = { catalog: peers.calls.catalog.length, inventory: peers.calls.inventory.length };
    await cart.client.getCart({ cartToken });
    expect(peers.calls.catalog.slice(before.catalog)).toEqual([["R-1", "R-2", "R-3"]]);
    expect(peers.calls.inventory.slice(before.inventory)).toEqual([["R-1", "R-2", "R-3"]]);
    expect([...peers.callers]).toEqual(["cart"]);
  });

  it("flags a line whose price changed since it was added and prices it at the new price", async () => {
    peers.put("P-LAMP", 5000n);
    const cartToken = await newGuest();
    await cart.client.addItem({ cartToken, sku: "P-LAMP", quantity: 2 });
    peers.put("P-LAMP", 4500n);
    const { cart: read } = await cart.client.getCart({ cartToken });
    expect(read!.lines[0]).toMatchObject({
      priceChanged: true,
      unitPrice: { amountMinor: 4500n },
      priceWhenAdded: { amountMinor: 5000n },
      lineTotal: { amountMinor: 9000n },
    });
    expect(read!.subtotal!.amountMinor).toBe(9000n);
    // Adding it again records the price the customer sees now.
    const { cart: again } = await cart.client.addItem({ cartToken, sku: "P-LAMP", quantity: 1 });
    expect(again!.lines[0]).toMatchObject({ priceChanged: false, priceWhenAdded: { amountMinor: 4500n } });
  });

  it("flags lines that are out of stock or short of the quantity", async () => {
    peers.put("S-LAST", 100n, 2n);
    peers.put("S-MORE", 100n, 10n);
    const cartToken = await newGuest();
    await cart.client.addItem({ cartToken, sku: "S-LAST", quantity: 2 });
    await cart.client.addItem({ cartToken, sku: "S-MORE", quantity: 3 });
    peers.stock.set("S-LAST", 0n);
    peers.stock.set("S-MORE", 2n);
    const { cart: read } = await cart.client.getCart({ cartToken });
    expect(read!.lines.map((line) => [line.sku, line.available, line.availableQuantity])).toEqual([
      ["S-LAST", false, 0n],
      ["S-MORE", false, 2n],
    ]);
    peers.stock.set("S-MORE", 3n);
    const { cart: later } = await cart.client.getCart({ cartToken });
    expect(later!.lines[1]!.available).toBe(true);
  });

  it("shows a line catalog stopped selling as not purchasable and leaves it out of the subtotal", async () => {
    peers.put("D-KEEP", 300n);
    peers.put("D-DROP", 700n);
    const cartToken = await newGuest();
    await cart.client.addItem({ cartToken, sku: "D-KEEP", quantity: 1 });
    await cart.client.addItem({ cartToken, sku: "D-DROP", quantity: 1 });
    peers.variants.delete("D-DROP");
    const { cart: read } = await cart.client.getCart({ cartToken });
    expect(read!.lines[1]).toMatchObject({
      sku: "D-DROP",
      purchasable: false,
      productName: "Product D-DROP",
    });
    expect(read!.subtotal!.amountMinor).toBe(300n);
  });
});

describe("refusals", () => {
  it("answers INVALID_ARGUMENT naming each bad field and changes nothing", async () => {
    peers.put("V-OK", 100n);
    const cartToken = await newGuest();
    await cart.client.addItem({ cartToken, sku: "V-OK", quantity: 1 });

    const cases: [() => Promise<unknown>, string][] = [
      [() => cart.client.addItem({ cartToken, sku: "V-OK", quantity: 0 }), "quantity"],
      [() => cart.client.addItem({ cartToken, sku: "V-OK", quantity: 100 }), "quantity"],
      [() => cart.client.addItem({ cartToken, sku: "V-OK", quantity: 99 }), "quantity"],
      [() => cart.client.addItem({ cartToken, sku: "bad sku", quantity: 1 }), "sku"],
      [() => cart.client.updateItem({ cartToken, sku: "V-OK", quantity: -1 }), "quantity"],
      [() => cart.client.removeItem({ cartToken, sku: "" }), "sku"],
      [() => cart.client.getCart({ cartToken: "" }), "cartToken"],
      [() => cart.client.getCart({ cartToken: "not-a-token" }), "cartToken"],
    ];
    for (const [call, field] of cases) {
      const error = await failure(call());
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error).map((v) => v.field)).toEqual([field]);
    }
    expect(lines((await cart.client.getCart({ cartToken })).cart)).toEqual([["V-OK", 1]]);
  });

  it("answers NOT_FOUND for an unknown SKU and FAILED_PRECONDITION for one not for sale, naming sku", async () => {
    peers.put("N-DRAFT", 100n, 5n, { purchasable: false });
    peers.put("N-USD", 100n, 5n, { price: { amountMinor: 100n, currency: "USD" } });
    peers.put("N-EUR", 100n);
    const cartToken = await newGuest();

    const unknown = await failure(cart.client.addItem({ cartToken, sku: "N-NOPE", quantity: 1 }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(fieldViolations(unknown).map((v) => v.field)).toEqual(["sku"]);

    const draft = await failure(cart.client.addItem({ cartToken, sku: "N-DRAFT", quantity: 1 }));
    expect(draft.code).toBe(Code.FailedPrecondition);
    expect(fieldViolations(draft).map((v) => v.field)).toEqual(["sku"]);

    await cart.client.addItem({ cartToken, sku: "N-EUR", quantity: 1 });
    const currency = await failure(cart.client.addItem({ cartToken, sku: "N-USD", quantity: 1 }));
    expect(currency.code).toBe(Code.FailedPrecondition);
    expect(currency.message).toContain("USD");

    const missing = await failure(cart.client.updateItem({ cartToken, sku: "N-DRAFT", quantity: 2 }));
    expect(missing.code).toBe(Code.NotFound);
    expect(lines((await cart.client.getCart({ cartToken })).cart)).toEqual([["N-EUR", 1]]);
  });

  it("holds at most 100 different SKUs", async () => {
    const cartToken = await newGuest();
    for (let i = 0; i < 100; i++) {
      peers.put(`M-${i}`, 1n);
      await cart.client.addItem({ cartToken, sku: `M-${i}`, quantity: 1 });
    }
    peers.put("M-100", 1n);
    const error = await failure(cart.client.addItem({ cartToken, sku: "M-100", quantity: 1 }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect((await cart.client.getCart({ cartToken })).cart!.lines).toHaveLength(100);
  });

  it("answers UNAVAILABLE, not the peer's status, when catalog cannot be reached", async () => {
    const broken = await startCart({
      peers,
      env: { CATALOG_ADDRESS: "127.0.0.1:1", PEER_TIMEOUT_MS: "500" },
    });
    try {
      peers.put("U-1", 100n);
      const cartToken = (await broken.client.createGuestCart({})).cartToken;
      const error = await failure(broken.client.addItem({ cartToken, sku: "U-1", quantity: 1 }));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toContain("catalog");
    } finally {
      await broken.stop();
    }
  });
});

describe("ownership", () => {
  it("keeps each guest to their own cart", async () => {
    peers.put("O-SECRET", 100n);
    const alice = await newGuest();
    const bob = await newGuest();
    await cart.client.addItem({ cartToken: alice, sku: "O-SECRET", quantity: 3 });
    expect((await cart.client.getCart({ cartToken: bob })).cart!.lines).toEqual([]);
    await cart.client.clearCart({ cartToken: bob });
    expect(lines((await cart.client.getCart({ cartToken: alice })).cart)).toEqual([["O-SECRET", 3]]);
  });

  it("answers NOT_FOUND for a well-formed token it never issued", async () => {
    const forged = `ct_${"A".repeat(43)}`;
    const error = await failure(cart.client.getCart({ cartToken: forged }));
    expect(error.code).toBe(Code.NotFound);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["cartToken"]);
    peers.put("O-ANY", 100n);
    expect((await failure(cart.client.addItem({ cartToken: forged, sku: "O-ANY", quantity: 1 }))).code).toBe(
      Code.NotFound,
    );
    expect(await cart.keys()).not.toContain(`guest:${hashCartToken(forged)}`);
  });

  it("refuses MergeCart without a signed-in user", async () => {
    const error = await failure(cart.client.mergeCart({ cartToken: await newGuest() }));
    expect(error.code).toBe(Code.Unauthenticated);
  });
});

describe("expiry", () => {
  it("sets the guest TTL on create and moves it on every write and read", async () => {
    peers.put("E-1", 100n);
    const { cartToken, cart: created } = await cart.client.createGuestCart({});
    const key = `${cart.prefix}guest:${hashCartToken(cartToken)}`;
    const ttl = () => cart.redis.ttl(key);
    expect(await ttl()).toBeGreaterThan(7 * DAY - 10);
    expect(await ttl()).toBeLessThanOrEqual(7 * DAY);
    const expires = Number(created!.expireTime!.seconds);
    expect(Math.abs(expires - (Date.now() / 1000 + 7 * DAY))).toBeLessThan(10);

    await cart.redis.expire(key, 60);
    await cart.client.addItem({ cartToken, sku: "E-1", quantity: 1 });
    expect(await ttl()).toBeGreaterThan(7 * DAY - 10);

    await cart.redis.expire(key, 60);
    await cart.client.getCart({ cartToken });
    expect(await ttl()).toBeGreaterThan(7 * DAY - 10);
  });

  it("forgets a cart once its TTL ran out", async () => {
    const cartToken = await newGuest();
    await cart.redis.pexpire(`${cart.prefix}guest:${hashCartToken(cartToken)}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await failure(cart.client.getCart({ cartToken }))).code).toBe(Code.NotFound);
  });
});

describe("concurrency", () => {
  it("loses no update when 20 AddItem calls race on one SKU", async () => {
    peers.put("C-HOT", 100n, 1000n);
    const cartToken = await newGuest();
    await Promise.all(
      Array.from({ length: 20 }, () => cart.client.addItem({ cartToken, sku: "C-HOT", quantity: 1 })),
    );
    expect(lines((await cart.client.getCart({ cartToken })).cart)).toEqual([["C-HOT", 20]]);
  });

  it("keeps every line when 20 AddItem calls race with different SKUs", async () => {
    const skus = Array.from({ length: 20 }, (_, i) => `C-${i}`);
    for (const sku of skus) peers.put(sku, 100n);
    const cartToken = await newGuest();
    await Promise.all(skus.map((sku) => cart.client.addItem({ cartToken, sku, quantity: 2 })));
    const read = (await cart.client.getCart({ cartToken })).cart!;
    expect(read.lines.map((line) => line.sku).sort()).toEqual([...skus].sort());
    expect(read.itemCount).toBe(40);
  });
});
