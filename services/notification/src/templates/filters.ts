import type { Liquid } from "liquidjs";
import { formatMoney, type MoneyData } from "../domain/money.ts";

/**
 * Filters for message templates. They format for the locale the message is rendered in, which
 * every render passes as the global `locale`.
 *
 *   {{ order.total | money }}            €1,234.56 / 1.234,56 €
 *   {{ token_expire_time | datetime }}   January 5, 2025 at 3:04 PM UTC
 *   {{ address.country_code | country }} Germany / Deutschland
 */
export function registerFilters(engine: Liquid): void {
  engine.registerFilter("money", function (this: FilterThis, value: unknown) {
    return formatMoney(value as MoneyData | undefined, localeOf(this));
  });
  engine.registerFilter("datetime", function (this: FilterThis, value: unknown) {
    if (typeof value !== "string" || value === "") return "";
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return value;
    const formatted = new Intl.DateTimeFormat(localeOf(this), {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "UTC",
    }).format(date);
    // Users' time zones are not known: say which one the time is in.
    return `${formatted} UTC`;
  });
  engine.registerFilter("country", function (this: FilterThis, value: unknown) {
    if (typeof value !== "string" || !/^[A-Z]{2}$/.test(value)) return value ?? "";
    try {
      return new Intl.DisplayNames([localeOf(this)], { type: "region" }).of(value) ?? value;
    } catch {
      return value;
    }
  });
}

/** What LiquidJS binds `this` to in a filter: the render's context, whose globals hold `locale`. */
interface FilterThis {
  context: { globals: Record<string, unknown> };
}

function localeOf(filter: FilterThis): string {
  const locale = filter.context.globals.locale;
  return typeof locale === "string" && locale ? locale : "en";
}
