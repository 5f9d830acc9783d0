import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";

/** The figures derived from the projection counters, and the rules of a dashboard request. */

/** The longest range one dashboard answers, in days. */
export const MAX_RANGE_DAYS = 366;
/** The range when the request names none: the 30 days ending today. */
export const DEFAULT_RANGE_DAYS = 30;
export const TOP_PRODUCTS = { defaultSize: 10, maxSize: 100 } as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY = /^[A-Z]{3}$/;
const DAY_MS = 86_400_000;

/** A range of whole UTC days, both ends included, "YYYY-MM-DD". */
export interface DayRange {
  start: string;
  end: string;
}

export interface DashboardQuery {
  range: DayRange;
  /** Empty: every currency. */
  currency: string;
  topProducts: number;
}

/**
 * The query of a GetDashboard request; INVALID_ARGUMENT naming each bad field. A missing end is
 * today, a missing start DEFAULT_RANGE_DAYS before the end.
 */
export function dashboardQuery(
  input: { startDate: string; endDate: string; currency: string; topProductsLimit: number },
  today: Date,
): DashboardQuery {
  const violations: FieldViolation[] = [];
  const end = input.endDate ? parseDay(input.endDate, "endDate", violations) : dayOf(today);
  const start = input.startDate
    ? parseDay(input.startDate, "startDate", violations)
    : end && addDays(end, -(DEFAULT_RANGE_DAYS - 1));
  if (input.currency && !CURRENCY.test(input.currency)) {
    violations.push({ field: "currency", description: "must be an ISO 4217 code like EUR" });
  }
  if (input.topProductsLimit < 0) {
    violations.push({ field: "topProductsLimit", description: "must not be negative" });
  }
  if (start && end) {
    const days = daysBetween(start, end) + 1;
    if (days < 1) violations.push({ field: "endDate", description: "must not be before startDate" });
    else if (days > MAX_RANGE_DAYS) {
      violations.push({
        field: "endDate",
        description: `must be at most ${MAX_RANGE_DAYS} days after startDate`,
      });
    }
  }
  throwIfInvalid(violations);
  return {
    range: { start: start!, end: end! },
    currency: input.currency,
    topProducts:
      input.topProductsLimit === 0
        ? TOP_PRODUCTS.defaultSize
        : Math.min(input.topProductsLimit, TOP_PRODUCTS.maxSize),
  };
}

/**
 * The average order value: revenue / orders, rounded half up to a whole minor unit (half away
 * from zero for negative revenue); 0 without orders.
 */
export function averageOrderValue(revenueMinor: bigint, orders: bigint): bigint {
  if (orders <= 0n) return 0n;
  const sign = revenueMinor < 0n ? -1n : 1n;
  const abs = revenueMinor * sign;
  return sign * ((abs * 2n + orders) / (orders * 2n));
}

/** Checkout success rate: confirmed / placed, between 0 and 1; 0 without checkouts. */
export function checkoutSuccessRate(confirmed: bigint, placed: bigint): number {
  if (placed <= 0n) return 0;
  return Math.min(1, Number(confirmed) / Number(placed));
}

/**
 * Checkout conversion, carts -> orders: orders placed / carts created; 0 without carts. Not
 * capped at 1: it compares two flows of the same days, not a cohort (orders of a range can come
 * from carts created before it, and a user's cart outlives its checkouts), and a figure above 1
 * says so rather than hiding it.
 */
export function cartConversion(ordersPlaced: bigint, cartsCreated: bigint): number {
  if (cartsCreated <= 0n) return 0;
  return Number(ordersPlaced) / Number(cartsCreated);
}

function parseDay(value: string, field: string, violations: FieldViolation[]): string | undefined {
  const time = Date.parse(`${value}T00:00:00Z`);
  if (!DATE.test(value) || Number.isNaN(time) || dayOf(new Date(time)) !== value) {
    violations.push({ field, description: "must be a date like 2026-01-31" });
    return undefined;
  }
  return value;
}

function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The day `days` after `day` ("YYYY-MM-DD"). */
export function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}
