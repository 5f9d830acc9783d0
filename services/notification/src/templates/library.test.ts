import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NOTIFICATION_TYPES } from "../domain/catalogue.ts";
import type { TemplateData } from "../domain/intent.ts";
import { createTemplateLibrary, TEMPLATES_DIR, TemplateError } from "./library.ts";

const shop = { name: "Test & Co", url: "https://shop.test" };
const library = createTemplateLibrary({ defaultLocale: "en", shop });
const recipient = { name: "Ada <Lovelace>", email: "ada@example.test" };

const order: TemplateData = {
  id: "0190a000-0000-7000-8000-0000000000aa",
  reference: "000000AA",
  lines: [
    {
      sku: "TEE-1",
      product_name: "Tee & Tea",
      title: "Blue / M",
      quantity: 2,
      unit_price: { amount_minor: "1999", currency: "EUR" },
      line_total: { amount_minor: "3998", currency: "EUR" },
    },
  ],
  item_count: 2,
  subtotal: { amount_minor: "3998", currency: "EUR" },
  shipping_total: { amount_minor: "490", currency: "EUR" },
  total: { amount_minor: "123488", currency: "EUR" },
  refunded_total: { amount_minor: "0", currency: "EUR" },
  shipping_method: "standard",
  shipping_address: {
    recipient: "Ada",
    line1: "Hauptstraße 1",
    line2: "",
    city: "Berlin",
    region: "",
    postal_code: "10115",
    country_code: "DE",
  },
  payment_brand: "visa",
  payment_last4: "4242",
  carrier: "simcarrier",
  tracking_number: "SIM123",
  failure_code: "",
  failure_reason: "",
  create_time: null,
};

describe("template library", () => {
  it("has an English template for every type and channel, and German ones too", () => {
    for (const [type, spec] of Object.entries(NOTIFICATION_TYPES)) {
      for (const channel of spec.channels) {
        expect(library.locales(type as keyof typeof NOTIFICATION_TYPES, channel)).toEqual(["de", "en"]);
      }
    }
  });

  it("renders an order confirmation email with lines and totals, HTML escaped, text not", () => {
    const { locale, parts } = library.render({
      type: "order_confirmed",
      channel: "email",
      locale: "en",
      data: { order },
      recipient,
    });
    expect(locale).toBe("en");
    expect(parts.subject).toBe("Your order 000000AA is confirmed");
    expect(parts.html).toContain("Tee &amp; Tea");
    expect(parts.html).toContain("Hi Ada &lt;Lovelace&gt;,");
    expect(parts.html).not.toContain("<Lovelace>");
    expect(parts.html).toContain("€1,234.88");
    expect(parts.html).toContain("<!DOCTYPE html>");
    expect(parts.html).toContain("Test &amp; Co");
    expect(parts.text).toContain("Hi Ada <Lovelace>,");
    expect(parts.text).toContain("2 × Tee & Tea (Blue / M) [TEE-1]: €39.98");
    expect(parts.text).toContain("Total: €1,234.88");
    expect(parts.text).toContain("Germany");
    expect(parts.text).toContain("https://shop.test/orders/0190a000-0000-7000-8000-0000000000aa");
    expect(parts.text).toContain("Test & Co · https://shop.test");
  });

  it("renders German for German readers, with their number formats, and falls back by language", () => {
    const swiss = library.render({
      type: "order_confirmed",
      channel: "email",
      locale: "de-CH",
      data: { order },
      recipient,
    });
    expect(swiss.locale).toBe("de-CH");
    expect(swiss.parts.subject).toBe("Deine Bestellung 000000AA ist bestätigt");
    expect(swiss.parts.text).toContain("Deutschland");
    const german = library.render({
      type: "order_confirmed",
      channel: "email",
      locale: "de",
      data: { order },
      recipient,
    });
    expect(german.parts.text?.replace(/\s/g, " ")).toContain("Gesamt: 1.234,88 €");
    const french = library.render({
      type: "order_confirmed",
      channel: "push",
      locale: "fr",
      data: { order },
      recipient,
    });
    expect(french.locale).toBe("en");
    expect(french.parts).toEqual({
      title: "Order confirmed",
      body: "Order 000000AA (€1,234.88) is confirmed.",
    });
  });

  it("puts the token into the verification link, URL-encoded", () => {
    const { parts } = library.render({
      type: "email_verification",
      channel: "email",
      locale: "en",
      data: { email: "ada@example.test", token: "a+b/c=", expire_time: "2025-01-05T15:04:00.000Z" },
      recipient,
    });
    expect(parts.text).toContain("https://shop.test/verify-email?token=a%2Bb%2Fc%3D");
    expect(parts.text).toContain("January 5, 2025 at 3:04 PM UTC");
  });

  describe("a broken template directory", () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const copy = () => {
      const dir = mkdtempSync(join(tmpdir(), "templates-"));
      dirs.push(dir);
      cpSync(TEMPLATES_DIR, dir, { recursive: true });
      return dir;
    };

    it("stops the service at start, naming the file and what is wrong", () => {
      const dir = copy();
      writeFileSync(join(dir, "order_shipped", "push.en.liquid"), "{% part title %}Shipped{% endpart %}");
      rmSync(join(dir, "welcome", "in_app.en.liquid"));
      writeFileSync(join(dir, "welcome", "fax.en.liquid"), "");
      expect(() => createTemplateLibrary({ dir, defaultLocale: "en", shop })).toThrow(TemplateError);
      try {
        createTemplateLibrary({ dir, defaultLocale: "en", shop });
      } catch (error) {
        const message = (error as Error).message;
        expect(message).toContain("order_shipped/push.en.liquid: missing part body");
        expect(message).toContain("welcome/in_app.en.liquid: missing");
        expect(message).toContain("welcome/fax.en.liquid: expected <channel>.<locale>.liquid");
      }
    });
  });
});
