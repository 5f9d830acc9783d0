import { LowStockSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import type { FieldViolation } from "@shopmesh/kit/errors";
import { MAX_QUANTITY } from "./sku.ts";

/**
 * A SKU's low-stock alert: the threshold and whether the SKU is flagged low. The flag is what
 * makes LowStock fire once per crossing: it is set when the alert fires and cleared when
 * availability is back at or above the threshold, which re-arms it.
 */
export interface LowStockAlert {
  sku: string;
  /** 0 = no alert. */
  threshold: number;
  low: boolean;
}

export interface LowStockChange {
  alert: LowStockAlert;
  events: DomainEvent[];
}

/** Violations of a threshold: a whole number from 0 to MAX_QUANTITY. */
export function checkThreshold(threshold: number, field: string): FieldViolation[] {
  if (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > MAX_QUANTITY) {
    return [{ field, description: `must be between 0 and ${MAX_QUANTITY}` }];
  }
  return [];
}

/**
 * Compares the SKU's availability (over all active warehouses, after a change) with its alert:
 * records LowStock when it is below the threshold and the SKU was not flagged yet; clears the
 * flag when it is not below. Returns the same alert object when nothing changes.
 */
export function evaluateLowStock(alert: LowStockAlert, available: number): LowStockChange {
  const low = alert.threshold > 0 && available < alert.threshold;
  if (low === alert.low) return { alert, events: [] };
  const next = { ...alert, low };
  if (!low) return { alert: next, events: [] };
  return {
    alert: next,
    events: [
      domainEvent(LowStockSchema, alert.sku, {
        sku: alert.sku,
        available: BigInt(available),
        lowStockThreshold: BigInt(alert.threshold),
      }),
    ],
  };
}
