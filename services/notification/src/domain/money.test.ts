import { describe, expect, it } from "vitest";
import { decimalString, formatMoney, minorDigits } from "./money.ts";

describe("money in messages", () => {
  it("turns minor units into an exact decimal", () => {
    expect(decimalString("1999", 2)).toBe("19.99");
    expect(decimalString("5", 2)).toBe("0.05");
    expect(decimalString("-5", 2)).toBe("-0.05");
    expect(decimalString("1200", 0)).toBe("1200");
    expect(decimalString("9007199254740993", 2)).toBe("90071992547409.93");
  });

  it("knows the minor digits of a currency", () => {
    expect(minorDigits("EUR")).toBe(2);
    expect(minorDigits("JPY")).toBe(0);
    expect(minorDigits("BHD")).toBe(3);
  });

  it("formats for the reader's locale without losing a cent", () => {
    expect(formatMoney({ amount_minor: "123456", currency: "EUR" }, "en")).toBe("€1,234.56");
    expect(formatMoney({ amount_minor: "123456", currency: "EUR" }, "de").replace(/\s/g, " ")).toBe(
      "1.234,56 €",
    );
    expect(formatMoney({ amount_minor: "1200", currency: "JPY" }, "en")).toBe("¥1,200");
    expect(formatMoney({ amount_minor: "9007199254740993", currency: "USD" }, "en")).toBe(
      "$90,071,992,547,409.93",
    );
  });
});
