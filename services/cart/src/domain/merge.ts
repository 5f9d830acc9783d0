import { type Cart, type CartLine, cartCurrency, MAX_LINES, MAX_QUANTITY } from "./cart.ts";

/** A user's cart after a guest cart was merged in, and what did not fit. */
export interface MergeResult {
  cart: Cart;
  /** Guest SKUs left out: the cart was full, or they were priced in another currency. */
  skipped: string[];
  /** Guest SKUs whose summed quantity was cut to MAX_QUANTITY. */
  capped: string[];
}

/**
 * Merges a guest cart into a user's cart at login, so nothing chosen before signing in is lost:
 *
 * - a SKU in both carts keeps the user's line (its place and priceWhenAdded) with the quantities
 *   summed and capped at MAX_QUANTITY;
 * - other guest lines are appended in the guest cart's order while the cart has room
 *   (MAX_LINES) and they are priced in the cart's currency (the user's, or the guest's when the
 *   user's cart is empty); the rest are skipped.
 *
 * Pure and deterministic: merging the same guest cart into the result again would sum again,
 * which is why the store deletes the guest cart in the same atomic write.
 */
export function mergeCarts(user: Cart, guest: Cart, now: Date): MergeResult {
  const skipped: string[] = [];
  const capped: string[] = [];
  if (guest.lines.length === 0) return { cart: user, skipped, capped };
  const currency = cartCurrency(user) || cartCurrency(guest);
  const lines: CartLine[] = [...user.lines];
  const index = new Map(lines.map((line, i) => [line.sku, i]));
  for (const line of guest.lines) {
    const at = index.get(line.sku);
    const existing = at === undefined ? undefined : lines[at];
    if (at !== undefined && existing) {
      const sum = existing.quantity + line.quantity;
      if (sum > MAX_QUANTITY) capped.push(line.sku);
      lines[at] = { ...existing, quantity: Math.min(sum, MAX_QUANTITY) };
    } else if (line.priceWhenAdded.currency !== currency || lines.length >= MAX_LINES) {
      skipped.push(line.sku);
    } else {
      index.set(line.sku, lines.length);
      lines.push({ ...line });
    }
  }
  return { cart: { ...user, lines, updateTime: now }, skipped, capped };
}
