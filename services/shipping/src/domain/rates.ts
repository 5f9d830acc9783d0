import { failedPrecondition } from "@shopmesh/kit/errors";
import type { ShippingMethod } from "./method.ts";
import type { Zone } from "./zones.ts";

/** One weight band of a rate: parcels up to `maxGrams` (inclusive) cost `priceMinor`. */
export interface WeightBand {
  maxGrams: number;
  /** In minor units of the shop's currency. */
  priceMinor: number;
}

/** What one method costs to one zone: bands by ascending weight, and the delivery promise. */
export interface Rate {
  /** Business days from shipment to delivery. */
  minDays: number;
  maxDays: number;
  /** Ascending by maxGrams; the last band's maxGrams is the heaviest parcel the method takes. */
  bands: readonly WeightBand[];
}

/** The rate table: per method, the zones it serves. A zone missing from a method is not served. */
export type RateTable = Readonly<Record<ShippingMethod, Partial<Record<Zone, Rate>>>>;

/** The heaviest parcel any method takes: 30 kg (standard to domestic and EU). */
export const MAX_PARCEL_GRAMS = 30_000;

/** The band limits every rate of the built-in table uses, lightest first. */
const BAND_LIMITS = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

/**
 * The built-in rate table, in minor units of the shop's currency (SHOP_CURRENCY, EUR by default:
 * 490 is EUR 4.90). README "Shipping rates" shows the same table.
 *
 * | method   | zone     | days  | ≤1 kg | ≤2 kg | ≤5 kg | ≤10 kg | ≤20 kg | ≤30 kg |
 * |----------|----------|-------|-------|-------|-------|--------|--------|--------|
 * | standard | domestic | 1–3   |  4.90 |  5.90 |  7.90 |  10.90 |  14.90 |  18.90 |
 * | standard | eu       | 3–6   | 13.90 | 15.90 | 19.90 |  26.90 |  36.90 |  44.90 |
 * | standard | world    | 6–14  | 19.90 | 27.90 | 39.90 |  59.90 |  89.90 |   —    |
 * | express  | domestic | 1–1   |  9.90 |  9.90 | 14.90 |  19.90 |  24.90 |  29.90 |
 * | express  | eu       | 1–3   | 29.90 | 29.90 | 39.90 |  54.90 |  79.90 |   —    |
 * | express  | world    | 2–5   | 49.90 | 49.90 | 74.90 | 109.90 |   —    |   —    |
 */
export const RATES: RateTable = {
  standard: {
    domestic: rate(1, 3, [490, 590, 790, 1090, 1490, 1890]),
    eu: rate(3, 6, [1390, 1590, 1990, 2690, 3690, 4490]),
    world: rate(6, 14, [1990, 2790, 3990, 5990, 8990]),
  },
  express: {
    domestic: rate(1, 1, [990, 990, 1490, 1990, 2490, 2990]),
    eu: rate(1, 3, [2990, 2990, 3990, 5490, 7990]),
    world: rate(2, 5, [4990, 4990, 7490, 10990]),
  },
};

function rate(minDays: number, maxDays: number, prices: readonly number[]): Rate {
  return {
    minDays,
    maxDays,
    bands: prices.map((priceMinor, index) => ({
      maxGrams: BAND_LIMITS[index] ?? MAX_PARCEL_GRAMS,
      priceMinor,
    })),
  };
}

/** The price of a parcel by one method to one zone. */
export interface Quote {
  method: ShippingMethod;
  zone: Zone;
  weightGrams: number;
  priceMinor: number;
  currency: string;
  minDays: number;
  maxDays: number;
}

/** The quote of one method for a parcel, or undefined when the method does not serve it. */
export function quoteFor(
  method: ShippingMethod,
  zone: Zone,
  weightGrams: number,
  currency: string,
  table: RateTable = RATES,
): Quote | undefined {
  const rate = table[method][zone];
  const band = rate?.bands.find((b) => weightGrams <= b.maxGrams);
  if (!rate || !band) return undefined;
  return {
    method,
    zone,
    weightGrams,
    priceMinor: band.priceMinor,
    currency,
    minDays: rate.minDays,
    maxDays: rate.maxDays,
  };
}

/**
 * Every method serving a parcel of `weightGrams` to `zone`, cheapest first (then the faster);
 * FAILED_PRECONDITION SHIPPING_UNAVAILABLE when none does (too heavy for every method).
 */
export function quotesFor(
  zone: Zone,
  weightGrams: number,
  currency: string,
  table: RateTable = RATES,
): Quote[] {
  const quotes = (Object.keys(table) as ShippingMethod[])
    .map((method) => quoteFor(method, zone, weightGrams, currency, table))
    .filter((quote): quote is Quote => quote !== undefined)
    .sort((a, b) => a.priceMinor - b.priceMinor || a.maxDays - b.maxDays);
  if (quotes.length === 0) throw shippingUnavailable(zone, weightGrams);
  return quotes;
}

/** The error of a parcel no method (or not the chosen one) serves. */
export function shippingUnavailable(zone: Zone, weightGrams: number, method?: ShippingMethod) {
  const who = method ? `${method} shipping does not serve` : "no shipping method serves";
  return failedPrecondition(`${who} a ${weightGrams} g parcel to zone ${zone}`, "SHIPPING_UNAVAILABLE", {
    zone,
    weight_grams: String(weightGrams),
    ...(method ? { method } : {}),
  });
}
