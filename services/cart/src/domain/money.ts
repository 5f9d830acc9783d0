/**
 * Money as shopmesh.common.v1.Money says: an integer amount in the currency's minor unit and an
 * ISO 4217 code. Arithmetic stays in bigint, so no amount is ever rounded.
 */
export interface Money {
  amountMinor: bigint;
  /** ISO 4217, upper case; "" only for the zero subtotal of an empty cart. */
  currency: string;
}

/** Zero in `currency`. */
export function zero(currency: string): Money {
  return { amountMinor: 0n, currency };
}

/** `unit` times `quantity`. */
export function times(unit: Money, quantity: number): Money {
  return { amountMinor: unit.amountMinor * BigInt(quantity), currency: unit.currency };
}

/** a + b; both must be in the same currency (callers keep one currency per cart). */
export function plus(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${b.currency} to ${a.currency}`);
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

/** True when both the amount and the currency are the same. */
export function sameMoney(a: Money, b: Money): boolean {
  return a.amountMinor === b.amountMinor && a.currency === b.currency;
}
