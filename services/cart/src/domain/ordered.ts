import type { Cart, CartLine } from "./cart.ts";

/** One SKU of a confirmed order and how many units were bought. */
export interface OrderedItem {
  sku: string;
  quantity: number;
}

/**
 * Takes what a confirmed order bought out of its customer's cart: each SKU's ordered quantity is
 * subtracted from its line, and a line that reaches 0 is removed. Returns the same cart when
 * nothing changes (no such SKU in the cart, or it was emptied already).
 *
 * Only lines that were in the cart when the order was placed are touched: a line first added
 * after `orderedAt` (the order's create time) is something the customer chose since, e.g. after
 * the cart was emptied by a synchronous checkout, and stays whole. Units added later to a line
 * that was there before simply remain (5 in the cart, 2 ordered: 3 stay).
 *
 *   removeOrdered(cart, [{ sku: "TEE-1", quantity: 2 }], orderCreateTime, new Date())
 */
export function removeOrdered(cart: Cart, items: readonly OrderedItem[], orderedAt: Date, now: Date): Cart {
  const ordered = new Map<string, number>();
  for (const item of items) {
    if (!(item.quantity > 0)) continue;
    ordered.set(item.sku, (ordered.get(item.sku) ?? 0) + item.quantity);
  }
  let changed = false;
  const lines: CartLine[] = [];
  for (const line of cart.lines) {
    const bought = ordered.get(line.sku);
    if (bought === undefined || line.addTime.getTime() > orderedAt.getTime()) {
      lines.push(line);
      continue;
    }
    changed = true;
    const left = line.quantity - bought;
    if (left > 0) lines.push({ ...line, quantity: left });
  }
  return changed ? { ...cart, lines, updateTime: now } : cart;
}
