import type { FieldViolation } from "@shopmesh/kit/errors";

/** An amount in the minor unit of its currency (shopmesh/common/v1/money.proto). */
export interface Money {
  amountMinor: bigint;
  currency: string;
}

/** The largest amount payment accepts: 10^13 minor units; anything above is a typo, not a payment. */
export const MAX_AMOUNT_MINOR = 10_000_000_000_000n;

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Violations of an amount a caller asks to move: present, a positive number of minor units up to
 * MAX_AMOUNT_MINOR, in an ISO 4217 currency ("EUR"). `field` is the request's Money field.
 */
export function checkAmount(money: Money | undefined, field: string): FieldViolation[] {
  if (!money) return [{ field, description: "is required" }];
  const violations: FieldViolation[] = [];
  if (money.amountMinor <= 0n) {
    violations.push({ field: `${field}.amountMinor`, description: "must be positive" });
  } else if (money.amountMinor > MAX_AMOUNT_MINOR) {
    violations.push({ field: `${field}.amountMinor`, description: `must be at most ${MAX_AMOUNT_MINOR}` });
  }
  if (!CURRENCY.test(money.currency)) {
    violations.push({
      field: `${field}.currency`,
      description: "must be an ISO 4217 code in upper case (EUR)",
    });
  }
  return violations;
}

/** The proto Money of an amount. */
export function moneyMessage(amountMinor: bigint, currency: string) {
  return { amountMinor, currency };
}
