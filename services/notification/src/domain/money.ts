/**
 * Amounts in messages. Events carry int64 minor units; templates get them as
 * { amount_minor: "1999", currency: "EUR" } (text, so JSON keeps every digit) and format them
 * for the reader's locale. No floating point on the way: the minor units become an exact decimal
 * string, which Intl.NumberFormat formats as given.
 */

/** An amount as templates receive it. */
export interface MoneyData {
  amount_minor: string;
  currency: string;
}

/** From protobuf Money (bigint minor units); undefined money is 0 without a currency. */
export function moneyData(money: { amountMinor: bigint; currency: string } | undefined): MoneyData {
  return { amount_minor: String(money?.amountMinor ?? 0n), currency: money?.currency ?? "" };
}

/** The digits after the decimal point of a currency (2 for EUR, 0 for JPY, 3 for BHD). */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** "1999" with 2 digits → "19.99"; "-5" → "-0.05". */
export function decimalString(amountMinor: string, digits: number): string {
  const negative = amountMinor.startsWith("-");
  const magnitude = (negative ? amountMinor.slice(1) : amountMinor).replace(/^0+(?=\d)/, "");
  if (!/^\d+$/.test(magnitude)) throw new Error(`not an amount in minor units: ${amountMinor}`);
  if (digits === 0) return `${negative ? "-" : ""}${magnitude}`;
  const padded = magnitude.padStart(digits + 1, "0");
  return `${negative ? "-" : ""}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * The amount for people in `locale`: formatMoney({ amount_minor: "123456", currency: "EUR" }, "de")
 * is "1.234,56 €", in "en" "€1,234.56". An unknown currency code is shown beside the number.
 */
export function formatMoney(money: MoneyData | undefined, locale: string): string {
  if (!money || money.amount_minor === undefined) return "";
  const currency = money.currency || "";
  const decimal = decimalString(String(money.amount_minor), minorDigits(currency));
  try {
    // A string keeps the exact value (Intl.NumberFormat v3).
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(
      decimal as unknown as number,
    );
  } catch {
    return `${decimal} ${currency}`.trim();
  }
}
