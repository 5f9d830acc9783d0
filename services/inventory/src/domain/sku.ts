import type { FieldViolation } from "@shopmesh/kit/errors";

/** The longest SKU accepted. */
export const MAX_SKU_LENGTH = 64;

// No whitespace or control characters (they hide in copy-pasted SKUs) and no commas (the
// OUT_OF_STOCK error lists SKUs comma-separated).
const SKU = /^[^\s,\p{Cc}\p{Cf}]+$/u;

/**
 * Violations of a SKU: 1-64 characters without whitespace, control characters or commas. SKUs
 * are case-sensitive and stored as given; the catalog owns their format.
 */
export function checkSku(sku: string, field: string): FieldViolation[] {
  if (sku.length === 0) return [{ field, description: "is required" }];
  if ([...sku].length > MAX_SKU_LENGTH) {
    return [{ field, description: `must be at most ${MAX_SKU_LENGTH} characters` }];
  }
  if (!SKU.test(sku)) {
    return [{ field, description: "must not contain whitespace, control characters or commas" }];
  }
  return [];
}

/** The largest quantity of one line, adjustment or count; far below 2^53, so sums stay exact. */
export const MAX_QUANTITY = 1_000_000_000;
