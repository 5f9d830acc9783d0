import type { FieldViolation } from "@shopmesh/kit/errors";

/** An amount in the minor unit of its currency (shopmesh/common/v1/money.proto). */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

/** A price's upper bound: 10^12 minor units (ten billion euros) is a typo, not a price. */
export const MAX_PRICE_MINOR = 1_000_000_000_000n;

/**
 * Checks a price of the catalog, whose prices are all in one currency. An empty currency means
 * the catalog's; the returned price carries it.
 */
export function checkPrice(
  price: Money | undefined,
  catalogCurrency: string,
  field: string,
): { price: Money; violations: FieldViolation[] } {
  if (!price) {
    return {
      price: { amountMinor: 0n, currency: catalogCurrency },
      violations: [{ field, description: "is required" }],
    };
  }
  const violations: FieldViolation[] = [];
  const currency = price.currency.trim() === "" ? catalogCurrency : price.currency.trim();
  if (currency !== catalogCurrency) {
    violations.push({
      field: `${field}.currency`,
      description: `must be ${catalogCurrency}, the catalog's currency`,
    });
  }
  if (price.amountMinor < 0n) {
    violations.push({ field: `${field}.amountMinor`, description: "must not be negative" });
  } else if (price.amountMinor > MAX_PRICE_MINOR) {
    violations.push({ field: `${field}.amountMinor`, description: `must be at most ${MAX_PRICE_MINOR}` });
  }
  return { price: { amountMinor: price.amountMinor, currency }, violations };
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.amountMinor === b.amountMinor && a.currency === b.currency;
}

/** Digits after the decimal point of a currency: 2 for EUR, 0 for JPY, 3 for KWD. */
export function minorUnitDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** The "nice" price steps of search facets, in major units. */
const BUCKET_STEPS = [0, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/**
 * The lower edges of the price buckets of search facets, in minor units of `currency`: 0, 10,
 * 25, 50, 100... major units. The last bucket has no upper edge.
 */
export function priceBucketEdges(currency: string): bigint[] {
  const scale = 10n ** BigInt(minorUnitDigits(currency));
  return BUCKET_STEPS.map((step) => BigInt(step) * scale);
}
