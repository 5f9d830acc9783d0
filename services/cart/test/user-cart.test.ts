import { fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashCartToken } from "../src/crypto/cart-token.ts";
import {
  Code,
  failure,
  type SignedIn,
  startCart,
  startIdentity,
  startPeers,
  type TestCart,
  type TestIdentity,
  type TestPeers,
} from "./support.ts";

const DAY = 86_400;

let identity: TestIdentity;
let peers: TestPeers;
let cart: TestCart;
let ann: SignedIn;
let bob: SignedIn;

beforeAll(async () => {
  [identity, peers] = await Promise.all([startIdentity(), startPeers()]);
  cart = await startCart({ peers, identityAddress: identity.address });
  [ann, bob] = await Promise.all([identity.signUp("ann@cart.test"), identity.signUp("bob@cart.test")]);
  for (const sku of ["A", "B", "C", "D"]) peers.put(sku, 1000n);
});

afterAll(async () => {
  await cart?.stop();
  await peers?.stop();
  await identity?.stop();
});

const lines = (c: { lines: { sku: string; quantity: number }[] } | undefined) =>
  c?.lines.map((line) => [line.sku, line.quantity]);

async function guestWith(items: [string, number][]): Promise<string> {
  const { cartToken } = await cart.client.createGuestCart({});
  for (const [sku, quantity] of items) await cart.client.addItem({ cartToken, sku, quantity });
  return cartToken;
}

describe("user carts", () => {
  it("finds a signed-in user's cart by their token, empty until the first item", async () => {
    const user = await identity.signUp("first@cart.test");
    const { cart: empty } = await cart.client.getCart({}, user.auth);
    expect(empty).toMatchObject({ id: "", userId: user.userId, lines: [], itemCount: 0 });

    const { cart: added } = await cart.client.addItem({ sku: "A", quantity: 2 }, user.auth);
    expect(added).toMatchObject({ userId: user.userId, itemCount: 2 });
    expect(added!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines((await cart.client.getCart({}, user.auth)).cart)).toEqual([["A", 2]]);
    expect(await cart.keys()).toContain(`user:${user.userId}`);
  });

  it("always selects the user's cart when a user token is present, whatever cart_token says", async () => {
    const cartToken = await guestWith([["B", 1]]);
    await cart.client.addItem({ cartToken, sku: "C", quantity: 4 }, bob.auth);
    expect(lines((await cart.client.getCart({ cartToken }, bob.auth)).cart)).toContainEqual(["C", 4]);
    // The guest cart did not change.
    expect(lines((await cart.client.getCart({ cartToken })).cart)).toEqual([["B", 1]]);
  });

  it("keeps users to their own carts and guests out of users' carts", async () => {
    await cart.client.addItem({ sku: "D", quantity: 3 }, ann.auth);
    const bobs = (await cart.client.getCart({}, bob.auth)).cart!;
    expect(bobs.lines.map((line) => line.sku)).not.toContain("D");
    // A user id or a user key is not a cart token.
    for (const cartToken of [ann.userId, `user:${ann.userId}`]) {
      const error = await failure(cart.client.getCart({ cartToken }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error).map((v) => v.field)).toEqual(["cartToken"]);
    }
  });

  it("refuses a forged or garbled user token", async () => {
    const error = await failure(
      cart.client.getCart({}, { call: { authorization: "Bearer eyJhbGciOiJFZERTQSJ9.e30.c2ln" } }),
    );
    expect(error.code).toBe(Code.Unauthenticated);
  });

  it("gives user carts the user TTL", async () => {
    const user = await identity.signUp("ttl@cart.test");
    const { cart: added } = await cart.client.addItem({ sku: "A", quantity: 1 }, user.auth);
    const ttl = await cart.redis.ttl(`${cart.prefix}user:${user.userId}`);
    expect(ttl).toBeGreaterThan(60 * DAY - 10);
    expect(ttl).toBeLessThanOrEqual(60 * DAY);
    expect(Math.abs(Number(added!.expireTime!.seconds) - (Date.now() / 1000 + 60 * DAY))).toBeLessThan(10);
  });
});

describe("MergeCart", () => {
  it("sums quantities, caps them at 99, appends new lines and deletes the guest cart", async () => {
    const user = await identity.signUp("merge@cart.test");
    await cart.client.addItem({ sku: "A", quantity: 1 }, user.auth);
    await cart.client.addItem({ sku: "B", quantity: 90 }, user.auth);
    const cartToken = await guestWith([
      ["A", 2],
      ["C", 3],
      ["B", 20],
    ]);

    const merged = await cart.client.mergeCart({ cartToken }, user.auth);
    expect(lines(merged.cart)).toEqual([
      ["A", 3],
      ["B", 99],
      ["C", 3],
    ]);
    expect(merged.cappedSkus).toEqual(["B"]);
    expect(merged.skippedSkus).toEqual([]);
    expect(merged.cart!.userId).toBe(user.userId);

    expect((await failure(cart.client.getCart({ cartToken }))).code).toBe(Code.NotFound);
    expect(await cart.keys()).not.toContain(`guest:${hashCartToken(cartToken)}`);
    expect(lines((await cart.client.getCart({}, user.auth)).cart)).toEqual([
      ["A", 3],
      ["B", 99],
      ["C", 3],
    ]);
  });

  it("is idempotent: merging the same guest token again changes nothing", async () => {
    const user = await identity.signUp("twice@cart.test");
    const cartToken = await guestWith([["D", 2]]);
    const first = await cart.client.mergeCart({ cartToken }, user.auth);
    const second = await cart.client.mergeCart({ cartToken }, user.auth);
    expect(lines(first.cart)).toEqual([["D", 2]]);
    expect(lines(second.cart)).toEqual([["D", 2]]);
    expect(second.cart!.id).toBe(first.cart!.id);
    expect(second).toMatchObject({ cappedSkus: [], skippedSkus: [] });
  });

  it("moves a guest cart into a user who has none yet", async () => {
    const user = await identity.signUp("fresh@cart.test");
    const cartToken = await guestWith([
      ["A", 1],
      ["B", 2],
    ]);
    const { cart: merged } = await cart.client.mergeCart({ cartToken }, user.auth);
    expect(lines(merged)).toEqual([
      ["A", 1],
      ["B", 2],
    ]);
    expect(merged!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers the user's cart for a merge of two racing logins, summing once", async () => {
    const user = await identity.signUp("race@cart.test");
    await cart.client.addItem({ sku: "A", quantity: 1 }, user.auth);
    const cartToken = await guestWith([["A", 5]]);
    await Promise.all(Array.from({ length: 5 }, () => cart.client.mergeCart({ cartToken }, user.auth)));
    expect(lines((await cart.client.getCart({}, user.auth)).cart)).toEqual([["A", 6]]);
  });

  it("needs a well-formed cart token", async () => {
    for (const cartToken of ["", "ct_short"]) {
      const error = await failure(cart.client.mergeCart({ cartToken }, ann.auth));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error).map((v) => v.field)).toEqual(["cartToken"]);
    }
  });
});
