import type { FieldViolation } from "@shopmesh/kit/errors";
import { checkPrice, type Money } from "./money.ts";
import { checkLine, normalizeLine } from "./text.ts";

/** A purchasable version of a product: one SKU, one price. */
export interface Variant {
  id: string;
  sku: string;
  title: string;
  optionValues: Record<string, string>;
  price: Money;
  weightGrams: number;
}

/** What a client sends for a variant. */
export interface VariantInput {
  sku: string;
  title: string;
  optionValues: Record<string, string>;
  /** Undefined when the request has no price. */
  price: Money | undefined;
  weightGrams: number;
}

export const VARIANT_LIMITS = {
  variants: 100,
  title: 200,
  options: 10,
  optionName: 40,
  optionValue: 100,
  weightGrams: 1_000_000,
} as const;

/** The paths UpdateVariant may write, in proto form. */
export const VARIANT_WRITABLE = ["sku", "title", "option_values", "price", "weight_grams"] as const;

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks a SKU: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit. */
export function checkSku(sku: string, field: string): FieldViolation[] {
  if (sku.length === 0) return [{ field, description: "is required" }];
  if (!SKU.test(sku)) {
    return [
      {
        field,
        description: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
      },
    ];
  }
  return [];
}

/**
 * Checks and normalises the selected fields (proto paths) of a variant input. The title, when
 * empty, is made from the option values ("Red / M").
 */
export function checkVariantFields(
  input: VariantInput,
  selected: readonly string[],
  prefix: string,
  currency: string,
): { value: Omit<Variant, "id">; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const sku = input.sku.trim();
  if (selected.includes("sku")) violations.push(...checkSku(sku, at("sku")));

  const optionValues: Record<string, string> = {};
  if (selected.includes("option_values")) {
    const entries = Object.entries(input.optionValues);
    if (entries.length > VARIANT_LIMITS.options) {
      violations.push({
        field: at("optionValues"),
        description: `must hold at most ${VARIANT_LIMITS.options} options`,
      });
    }
    for (const [rawName, rawValue] of entries) {
      const name = normalizeLine(rawName);
      const value = normalizeLine(rawValue);
      const field = `${at("optionValues")}[${JSON.stringify(rawName)}]`;
      const problems = [
        ...checkLine(name, field, { max: VARIANT_LIMITS.optionName }).map((v) => ({
          ...v,
          description: `option name ${v.description}`,
        })),
        ...checkLine(value, field, { max: VARIANT_LIMITS.optionValue }),
      ];
      if (problems.length > 0) violations.push(...problems);
      else if (Object.hasOwn(optionValues, name)) {
        violations.push({ field, description: `names the option "${name}" twice` });
      } else {
        optionValues[name] = value;
      }
    }
  }

  let title = normalizeLine(input.title);
  if (selected.includes("title") || selected.includes("option_values")) {
    violations.push(...checkLine(title, at("title"), { max: VARIANT_LIMITS.title, optional: true }));
    if (title === "") title = Object.values(optionValues).join(" / ");
  }

  let price: Money = { amountMinor: 0n, currency };
  if (selected.includes("price")) {
    const checked = checkPrice(input.price, currency, at("price"));
    price = checked.price;
    violations.push(...checked.violations);
  }

  const weightGrams = input.weightGrams;
  if (
    selected.includes("weight_grams") &&
    (!Number.isInteger(weightGrams) || weightGrams < 0 || weightGrams > VARIANT_LIMITS.weightGrams)
  ) {
    violations.push({
      field: at("weightGrams"),
      description: `must be 0 to ${VARIANT_LIMITS.weightGrams} grams`,
    });
  }
  return { value: { sku, title, optionValues, price, weightGrams }, violations };
}

/**
 * Rules over a product's variants together: at most 100, no SKU twice, no two with the same
 * option values. Violations name `field`[i] of the later of two clashing variants, or
 * `blame` when given (the single variant a request adds or changes).
 */
export function checkVariantSet(
  variants: readonly Variant[],
  field: string,
  blame?: string,
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (variants.length > VARIANT_LIMITS.variants) {
    violations.push({
      field: blame ?? field,
      description: `a product has at most ${VARIANT_LIMITS.variants} variants`,
    });
  }
  const skus = new Map<string, number>();
  const options = new Map<string, number>();
  variants.forEach((variant, i) => {
    const at = blame ?? `${field}[${i}]`;
    const sku = variant.sku.toUpperCase();
    if (skus.has(sku)) {
      violations.push({
        field: `${at}.sku`,
        description: `repeats the SKU of another variant (${variant.sku})`,
      });
    }
    skus.set(sku, i);
    const key = optionKey(variant.optionValues);
    if (key !== "" && options.has(key)) {
      violations.push({
        field: `${at}.optionValues`,
        description: "are the same as another variant's; variants must differ in their options",
      });
    }
    options.set(key, i);
  });
  return violations;
}

/** The option values in a canonical form (sorted by name), for comparing variants. */
function optionKey(optionValues: Record<string, string>): string {
  if (Object.keys(optionValues).length === 0) return "";
  return JSON.stringify(Object.entries(optionValues).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
