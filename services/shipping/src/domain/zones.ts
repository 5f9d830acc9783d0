/**
 * Shipping zones by destination country (shipping.proto): the shop's own country is "domestic",
 * the member states of the European Union "eu", every other country "world". A shop outside the
 * EU still ships to EU countries at the "eu" rates.
 */
export type Zone = "domestic" | "eu" | "world";

export const ZONES: readonly Zone[] = ["domestic", "eu", "world"];

/** The 27 member states of the European Union (ISO 3166-1 alpha-2). */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
]);

/**
 * The zone of a destination, seen from the shop's country (both ISO 3166-1 alpha-2, upper case).
 *
 * @example
 * zoneOf("DE", "DE") // "domestic"
 * zoneOf("FR", "DE") // "eu"
 * zoneOf("CH", "DE") // "world"
 */
export function zoneOf(countryCode: string, shopCountry: string): Zone {
  if (countryCode === shopCountry) return "domestic";
  return EU_COUNTRIES.has(countryCode) ? "eu" : "world";
}
