import type { FieldViolation } from "@shopmesh/kit/errors";

/** One thing to ship (shopmesh.shipping.v1.ShipmentItem). */
export interface ParcelItem {
  sku: string;
  quantity: number;
  /** Of one unit. */
  weightGrams: number;
}

/** The most items one parcel lists. */
export const MAX_ITEMS = 200;
/** The heaviest unit catalog accepts (catalog.proto: 0 to 1,000,000 g). */
export const MAX_UNIT_GRAMS = 1_000_000;
export const MAX_QUANTITY = 1_000_000;
/** int32: what ShippingQuote.weight_grams and Shipment.weight_grams can carry. */
export const MAX_WEIGHT_GRAMS = 2_147_483_647;
const MAX_SKU_LENGTH = 64;

export interface ParcelInput {
  items: readonly ParcelItem[];
  /** The total weight when no items are given; 0 when unknown. */
  weightGrams: number;
}

export interface ParcelOptions {
  /** Items must name their SKU (a shipment's packing list); quotes do without. */
  requireSku?: boolean;
  /** Field names: "items" and "weightGrams" (GetQuotes) by default. */
  itemsField?: string;
  weightField?: string;
}

/**
 * The weight of a parcel: the items' unit weights times quantities, or `weightGrams` when there
 * are no items. Both may be given when they agree. The result is more than 0 g.
 *
 * @returns the weight, or the violations naming the request fields
 */
export function parcelWeight(
  input: ParcelInput,
  options: ParcelOptions = {},
): { weightGrams: number; violations: FieldViolation[] } {
  const itemsField = options.itemsField ?? "items";
  const weightField = options.weightField ?? "weightGrams";
  const violations: FieldViolation[] = [];
  if (input.items.length > MAX_ITEMS) {
    return {
      weightGrams: 0,
      violations: [{ field: itemsField, description: `must have at most ${MAX_ITEMS} items` }],
    };
  }
  let sum = 0;
  input.items.forEach((item, index) => {
    const field = `${itemsField}[${index}]`;
    if (options.requireSku) {
      if (item.sku === "") violations.push({ field: `${field}.sku`, description: "is required" });
      else if ([...item.sku].length > MAX_SKU_LENGTH) {
        violations.push({
          field: `${field}.sku`,
          description: `must be at most ${MAX_SKU_LENGTH} characters`,
        });
      }
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      violations.push({ field: `${field}.quantity`, description: `must be between 1 and ${MAX_QUANTITY}` });
    }
    if (!Number.isInteger(item.weightGrams) || item.weightGrams < 0 || item.weightGrams > MAX_UNIT_GRAMS) {
      violations.push({
        field: `${field}.weightGrams`,
        description: `must be between 0 and ${MAX_UNIT_GRAMS}`,
      });
    }
    sum += item.quantity * item.weightGrams;
  });
  if (input.weightGrams < 0) violations.push({ field: weightField, description: "must not be negative" });
  if (violations.length > 0) return { weightGrams: 0, violations };

  if (input.items.length === 0) {
    if (input.weightGrams === 0) {
      return {
        weightGrams: 0,
        violations: [
          { field: weightField, description: `give ${itemsField} or ${weightField} (more than 0 g)` },
        ],
      };
    }
    return { weightGrams: input.weightGrams, violations: [] };
  }
  if (input.weightGrams !== 0 && input.weightGrams !== sum) {
    return {
      weightGrams: 0,
      violations: [{ field: weightField, description: `must be 0 or the items' total weight (${sum} g)` }],
    };
  }
  if (sum === 0)
    return {
      weightGrams: 0,
      violations: [{ field: itemsField, description: "must weigh more than 0 g in total" }],
    };
  if (sum > MAX_WEIGHT_GRAMS)
    return { weightGrams: 0, violations: [{ field: itemsField, description: "weigh too much in total" }] };
  return { weightGrams: sum, violations: [] };
}
