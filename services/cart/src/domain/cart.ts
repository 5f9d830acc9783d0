import { type FieldViolation, invalidField, throwIfInvalid } from "@shopmesh/kit/errors";
import { failedPrecondition, notFound } from "./errors.ts";
import type { Money } from "./money.ts";
import type { Variant } from "./sources.ts";

/** Units of one SKU a line may hold. */
export const MAX_QUANTITY = 99;
/** Lines (distinct SKUs) a cart may hold. */
export const MAX_LINES = 100;

/** Letters, digits, '.', '_' and '-', starting with a letter or digit; at most 64 characters. */
const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One SKU in a cart, as stored: what was chosen and what it cost then. */
export interface CartLine {
  sku: string;
  /** 1..MAX_QUANTITY. */
  quantity: number;
  /** The unit price when the SKU was last added: reads flag lines whose price moved since. */
  priceWhenAdded: Money;
  /** Catalog's names when last added, shown when catalog no longer knows the SKU. */
  productName: string;
  title: string;
  /** When the SKU was first added; lines keep this order. */
  addTime: Date;
}

/**
 * A cart as plain data; the functions of this folder return changed copies. All lines share one
 * currency (see cartCurrency). Prices and availability are not stored: reads ask catalog and
 * inventory (see pricing.ts).
 */
export interface Cart {
  /** UUIDv7. */
  id: string;
  /** The owner; "" for a guest cart. */
  userId: string;
  lines: CartLine[];
  createTime: Date;
  updateTime: Date;
}

/** An empty cart. */
export function newCart(input: { id: string; userId: string; now: Date }): Cart {
  return { id: input.id, userId: input.userId, lines: [], createTime: input.now, updateTime: input.now };
}

/**
 * The cart's currency: that of its lines ("" when empty). `exceptSku` leaves one line out, so a
 * cart holding only that SKU takes the SKU's new currency when it is added again.
 */
export function cartCurrency(cart: Cart, exceptSku?: string): string {
  return cart.lines.find((line) => line.sku !== exceptSku)?.priceWhenAdded.currency ?? "";
}

/** A violation unless `sku` is a well-formed SKU. */
export function checkSku(sku: string, field = "sku"): FieldViolation[] {
  if (sku.length === 0) return [{ field, description: "is required" }];
  if (!SKU_PATTERN.test(sku)) {
    return [
      {
        field,
        description: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      },
    ];
  }
  return [];
}

/** A violation unless `quantity` is a whole number from `min` to MAX_QUANTITY. */
export function checkQuantity(quantity: number, min: 0 | 1, field = "quantity"): FieldViolation[] {
  if (!Number.isInteger(quantity) || quantity < min || quantity > MAX_QUANTITY) {
    return [{ field, description: `must be from ${min} to ${MAX_QUANTITY}` }];
  }
  return [];
}

export interface ItemInput {
  sku: string;
  quantity: number;
}

/** Checks an AddItem request before anyone asks catalog about it. */
export function validateAddItem(input: ItemInput): void {
  throwIfInvalid([...checkSku(input.sku), ...checkQuantity(input.quantity, 1)]);
}

/**
 * Adds `quantity` units of a SKU: summed with its line when the cart has one, else a new line at
 * the end. `variant` is what catalog says about the SKU now (undefined when it does not know it);
 * its price becomes the line's priceWhenAdded, since the customer acts on the price shown now.
 *
 * Throws `invalid` (sku, quantity; also when the sum would pass MAX_QUANTITY), `not_found` for a
 * SKU catalog does not know, and `failed_precondition` for one it does not sell, one priced in
 * another currency than the cart's, or a new line in a full cart.
 */
export function addItem(cart: Cart, input: ItemInput, variant: Variant | undefined, now: Date): Cart {
  validateAddItem(input);
  const { sku, quantity } = input;
  if (!variant) throw notFound(`sku ${sku} does not exist`, "sku");
  if (!variant.purchasable) throw failedPrecondition(`sku ${sku} is not for sale`, "sku");
  const currency = cartCurrency(cart, sku);
  if (currency !== "" && variant.price.currency !== currency) {
    throw failedPrecondition(
      `sku ${sku} is priced in ${variant.price.currency}, the cart in ${currency}; one currency per cart`,
      "sku",
    );
  }
  const index = cart.lines.findIndex((line) => line.sku === sku);
  const existing = cart.lines[index];
  if (existing) {
    const total = existing.quantity + quantity;
    if (total > MAX_QUANTITY) {
      throw invalidField(
        "quantity",
        `the cart holds ${existing.quantity} of sku ${sku} already; at most ${MAX_QUANTITY} per line`,
      );
    }
    const line: CartLine = {
      ...existing,
      quantity: total,
      priceWhenAdded: { ...variant.price },
      productName: variant.productName,
      title: variant.title,
    };
    return { ...cart, lines: cart.lines.with(index, line), updateTime: now };
  }
  if (cart.lines.length >= MAX_LINES) {
    throw failedPrecondition(`a cart holds at most ${MAX_LINES} different SKUs`, "sku");
  }
  const line: CartLine = {
    sku,
    quantity,
    priceWhenAdded: { ...variant.price },
    productName: variant.productName,
    title: variant.title,
    addTime: now,
  };
  return { ...cart, lines: [...cart.lines, line], updateTime: now };
}

/**
 * Sets the quantity of a SKU in the cart; 0 removes the line. Throws `invalid` (sku, quantity)
 * and `not_found` when the SKU is not in the cart.
 */
export function updateItem(cart: Cart, input: ItemInput, now: Date): Cart {
  throwIfInvalid([...checkSku(input.sku), ...checkQuantity(input.quantity, 0)]);
  const index = cart.lines.findIndex((line) => line.sku === input.sku);
  const existing = cart.lines[index];
  if (!existing) throw notFound(`sku ${input.sku} is not in the cart`, "sku");
  if (input.quantity === 0) return removeItem(cart, input.sku, now);
  if (existing.quantity === input.quantity) return cart;
  return {
    ...cart,
    lines: cart.lines.with(index, { ...existing, quantity: input.quantity }),
    updateTime: now,
  };
}

/** Removes a SKU's line; the same cart when it has none (removing twice is fine). Throws `invalid` (sku). */
export function removeItem(cart: Cart, sku: string, now: Date): Cart {
  throwIfInvalid(checkSku(sku));
  if (!cart.lines.some((line) => line.sku === sku)) return cart;
  return { ...cart, lines: cart.lines.filter((line) => line.sku !== sku), updateTime: now };
}

/** Removes every line; the same cart when it is empty already. */
export function clearCart(cart: Cart, now: Date): Cart {
  if (cart.lines.length === 0) return cart;
  return { ...cart, lines: [], updateTime: now };
}
