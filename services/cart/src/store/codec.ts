import type { Cart, CartLine } from "../domain/cart.ts";

/**
 * A cart's stored form: one JSON value per Redis key, with `v`, the version the write scripts
 * compare (see carts.ts). Amounts travel as decimal strings, since JSON numbers lose int64
 * precision.
 */
interface StoredLine {
  sku: string;
  quantity: number;
  price: { amountMinor: string; currency: string };
  productName: string;
  title: string;
  addTime: string;
}

interface StoredCartJson {
  v: number;
  id: string;
  userId: string;
  createTime: string;
  updateTime: string;
  lines: StoredLine[];
}

/** A cart and the version it was stored with. */
export interface Versioned {
  cart: Cart;
  version: number;
}

export function encodeCart(cart: Cart, version: number): string {
  const json: StoredCartJson = {
    v: version,
    id: cart.id,
    userId: cart.userId,
    createTime: cart.createTime.toISOString(),
    updateTime: cart.updateTime.toISOString(),
    lines: cart.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      price: {
        amountMinor: line.priceWhenAdded.amountMinor.toString(),
        currency: line.priceWhenAdded.currency,
      },
      productName: line.productName,
      title: line.title,
      addTime: line.addTime.toISOString(),
    })),
  };
  return JSON.stringify(json);
}

export function decodeCart(text: string): Versioned {
  const json = JSON.parse(text) as StoredCartJson;
  return {
    version: json.v,
    cart: {
      id: json.id,
      userId: json.userId,
      createTime: new Date(json.createTime),
      updateTime: new Date(json.updateTime),
      lines: json.lines.map(
        (line): CartLine => ({
          sku: line.sku,
          quantity: line.quantity,
          priceWhenAdded: { amountMinor: BigInt(line.price.amountMinor), currency: line.price.currency },
          productName: line.productName,
          title: line.title,
          addTime: new Date(line.addTime),
        }),
      ),
    },
  };
}
