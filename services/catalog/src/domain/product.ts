import {
  PriceChangedSchema,
  ProductArchivedSchema,
  ProductCreatedSchema,
  ProductUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { failedPrecondition, notFound, staleVersion, throwIfInvalid } from "@shopmesh/kit/errors";
import { maskIncludes } from "./field-mask.ts";
import { productMessage } from "./messages.ts";
import { type Money, sameMoney } from "./money.ts";
import { checkProductFields, type ProductInput } from "./product-fields.ts";
import { slugify } from "./slug.ts";
import {
  checkVariantFields,
  checkVariantSet,
  VARIANT_WRITABLE,
  type Variant,
  type VariantInput,
} from "./variant.ts";

export type { ProductInput } from "./product-fields.ts";
export type { Variant, VariantInput } from "./variant.ts";

/** Where a product is in its life; customers only ever see `active` ones. */
export type ProductState = "draft" | "active" | "archived";

export interface Attribute {
  name: string;
  value: string;
}

export interface Image {
  url: string;
  altText: string;
}

/** The product aggregate: the product with its variants, changed only as a whole. */
export interface Product {
  id: string;
  slug: string;
  name: string;
  description: string;
  state: ProductState;
  categoryIds: string[];
  attributes: Attribute[];
  images: Image[];
  variants: Variant[];
  /** Grows by one with every change; UpdateProduct compares it with the version the caller read. */
  version: number;
  createTime: Date;
  updateTime: Date;
}

/** The paths UpdateProduct may write, in proto form. */
export const PRODUCT_WRITABLE = [
  "slug",
  "name",
  "description",
  "state",
  "category_ids",
  "attributes",
  "images",
] as const;

/** A product after a domain operation, the events to record and the proto fields that changed. */
export interface ProductChange {
  product: Product;
  events: DomainEvent[];
  changed: string[];
}

/**
 * Which transitions a state allows. Archived products come back as drafts, to be reviewed
 * before they are listed again.
 */
const TRANSITIONS: Record<ProductState, readonly ProductState[]> = {
  draft: ["active", "archived"],
  active: ["draft", "archived"],
  archived: ["draft"],
};

/** True when a product may go from `from` to `to` (staying put is always allowed). */
export function canTransition(from: ProductState, to: ProductState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/**
 * Throws ABORTED (STALE_VERSION) unless `expected` is the product's version. 0 and undefined
 * skip the check, for the calls where it is optional.
 */
export function checkVersion(product: Product, expected: number | undefined): void {
  if (expected === undefined || expected === 0) return;
  if (expected !== product.version) {
    throw staleVersion(
      `product ${product.id} is at version ${product.version}, not ${expected}: read it again and retry`,
    );
  }
}

export interface CreateProductOptions {
  id: string;
  now: Date;
  /** The catalog's currency: every price is in it. */
  currency: string;
  /** Ids for the new variants, in order. */
  newVariantId: () => string;
  /** The request field of the product ("product"). */
  field: string;
}

/**
 * A new product with its first variants, DRAFT unless the input says ACTIVE. An empty slug is
 * made from the name (`slugDerived`: the caller may need to make it unique).
 */
export function createProduct(
  input: ProductInput,
  variants: readonly VariantInput[],
  options: CreateProductOptions,
): ProductChange & { slugDerived: boolean } {
  const { field, now } = options;
  const slugDerived = input.slug.trim() === "";
  const selected = PRODUCT_WRITABLE.filter((path) => path !== "state" && !(path === "slug" && slugDerived));
  const { value, violations } = checkProductFields(input, selected, field);
  const state = input.state ?? "draft";
  if (state === "archived") {
    violations.push({ field: `${field}.state`, description: "must be DRAFT or ACTIVE for a new product" });
  }
  const checkedVariants = variants.map((variant, i) =>
    checkVariantFields(variant, VARIANT_WRITABLE, `${field}.variants[${i}]`, options.currency),
  );
  for (const checked of checkedVariants) violations.push(...checked.violations);
  const newVariants = checkedVariants.map((checked) => ({ ...checked.value, id: options.newVariantId() }));
  violations.push(...checkVariantSet(newVariants, `${field}.variants`));
  if (state === "active" && newVariants.length === 0) {
    violations.push({ field: `${field}.state`, description: "an ACTIVE product needs at least one variant" });
  }
  throwIfInvalid(violations);
  const product: Product = {
    id: options.id,
    slug: slugDerived ? slugify(value.name, "product") : value.slug,
    name: value.name,
    description: value.description,
    state,
    categoryIds: value.categoryIds,
    attributes: value.attributes,
    images: value.images,
    variants: newVariants,
    version: 1,
    createTime: now,
    updateTime: now,
  };
  return {
    product,
    events: [domainEvent(ProductCreatedSchema, product.id, { product: productMessage(product) })],
    changed: [],
    slugDerived,
  };
}

export interface UpdateOptions {
  now: Date;
  /** The version the caller read; 0 or undefined to skip the check where it is optional. */
  version?: number;
  /** The request field of the product ("product"). */
  field: string;
}

/**
 * Writes the selected fields (resolved mask leaves, proto paths) of `input` to the product. A
 * change that changes nothing returns the product as it was, without events or a new version.
 */
export function updateProduct(
  product: Product,
  input: ProductInput,
  selected: readonly string[],
  options: UpdateOptions,
): ProductChange {
  checkVersion(product, options.version);
  const { value, violations } = checkProductFields(input, selected, options.field);
  throwIfInvalid(violations);
  const next: Product = { ...product };
  if (maskIncludes(selected, "slug")) next.slug = value.slug;
  if (maskIncludes(selected, "name")) next.name = value.name;
  if (maskIncludes(selected, "description")) next.description = value.description;
  if (maskIncludes(selected, "category_ids")) next.categoryIds = value.categoryIds;
  if (maskIncludes(selected, "attributes")) next.attributes = value.attributes;
  if (maskIncludes(selected, "images")) next.images = value.images;
  if (maskIncludes(selected, "state") && value.state) {
    next.state = value.state;
    checkTransition(product, next.state, `${options.field}.state`);
  }
  return commit(product, next, options.now);
}

/** Archives a product; archiving an archived product changes nothing. */
export function archiveProduct(product: Product, options: Omit<UpdateOptions, "field">): ProductChange {
  checkVersion(product, options.version);
  if (product.state === "archived") return { product, events: [], changed: [] };
  return commit(product, { ...product, state: "archived" }, options.now);
}

export interface ReplaceProductOptions {
  now: Date;
  /** The catalog's currency: every price is in it. */
  currency: string;
  /** Ids for variants whose SKU the product does not have yet. */
  newVariantId: () => string;
  /** The request field of the product ("product"). */
  field: string;
}

/**
 * Replaces every writable field of a product and its whole variant set with `input` and
 * `variants` (an import row): the product keeps its id, variants keep theirs where their SKU
 * (case-insensitive) stays, and a state left unspecified stays as it is. Nothing changes unless
 * the whole row is valid.
 */
export function replaceProduct(
  product: Product,
  input: ProductInput,
  variants: readonly VariantInput[],
  options: ReplaceProductOptions,
): ProductChange {
  const { field } = options;
  const { value, violations } = checkProductFields(input, PRODUCT_WRITABLE, field);
  const bySku = new Map(product.variants.map((variant) => [variant.sku.toUpperCase(), variant]));
  const checkedVariants = variants.map((variant, i) =>
    checkVariantFields(variant, VARIANT_WRITABLE, `${field}.variants[${i}]`, options.currency),
  );
  for (const checked of checkedVariants) violations.push(...checked.violations);
  const nextVariants = checkedVariants.map(
    (checked): Variant => ({
      ...checked.value,
      id: bySku.get(checked.value.sku.toUpperCase())?.id ?? options.newVariantId(),
    }),
  );
  violations.push(...checkVariantSet(nextVariants, `${field}.variants`));
  throwIfInvalid(violations);
  const state = value.state ?? product.state;
  const next: Product = {
    ...product,
    slug: value.slug,
    name: value.name,
    description: value.description,
    state,
    categoryIds: value.categoryIds,
    attributes: value.attributes,
    images: value.images,
    variants: nextVariants,
  };
  checkTransition(next, state, `${field}.state`, product.state);
  const change = commit(product, next, options.now);
  if (change.changed.length === 0) return change;
  for (const variant of nextVariants) {
    const old = product.variants.find((v) => v.id === variant.id);
    if (old && !sameMoney(old.price, variant.price)) {
      change.events.push(priceChanged(change.product, variant, old.price));
    }
  }
  return change;
}

function checkTransition(
  product: Product,
  to: ProductState,
  field: string,
  from: ProductState = product.state,
): void {
  if (!canTransition(from, to)) {
    throw failedPrecondition(
      `a ${from} product cannot become ${to}${from === "archived" ? "; restore it to draft first" : ""}`,
    );
  }
  if (to === "active" && product.variants.length === 0) {
    throw failedPrecondition(`${field}: an ACTIVE product needs at least one variant; add one first`);
  }
}

export interface VariantOptions {
  now: Date;
  /** The product version the caller read; 0 or undefined skips the check. */
  version?: number;
  currency: string;
  /** The request field of the variant ("variant"). */
  field: string;
}

/** Adds a variant to the product. */
export function addVariant(
  product: Product,
  input: VariantInput,
  options: VariantOptions & { id: string },
): ProductChange & { variant: Variant } {
  checkVersion(product, options.version);
  const checked = checkVariantFields(input, VARIANT_WRITABLE, options.field, options.currency);
  throwIfInvalid(checked.violations);
  const variant: Variant = { ...checked.value, id: options.id };
  const variants = [...product.variants, variant];
  throwIfInvalid(checkVariantSet(variants, "variants", options.field));
  return { ...commit(product, { ...product, variants }, options.now), variant };
}

/** Writes the selected fields (resolved mask leaves) of `input` to one of the product's variants. */
export function updateVariant(
  product: Product,
  variantId: string,
  input: VariantInput,
  selected: readonly string[],
  options: VariantOptions,
): ProductChange & { variant: Variant } {
  checkVersion(product, options.version);
  const index = product.variants.findIndex((variant) => variant.id === variantId);
  const current = product.variants[index];
  if (!current) throw notFound(`variant ${variantId} not found`);
  const checked = checkVariantFields(input, selected, options.field, options.currency);
  throwIfInvalid(checked.violations);
  const variant: Variant = { ...current };
  if (maskIncludes(selected, "sku")) variant.sku = checked.value.sku;
  if (maskIncludes(selected, "option_values")) variant.optionValues = checked.value.optionValues;
  if (maskIncludes(selected, "price")) variant.price = checked.value.price;
  if (maskIncludes(selected, "weight_grams")) variant.weightGrams = checked.value.weightGrams;
  if (maskIncludes(selected, "title")) variant.title = checked.value.title;
  else if (maskIncludes(selected, "option_values") && current.title === defaultTitleOf(current)) {
    // A title made from the option values follows them.
    variant.title = defaultTitleOf(variant);
  }
  const variants = product.variants.map((v, i) => (i === index ? variant : v));
  throwIfInvalid(checkVariantSet(variants, "variants", options.field));
  const change = commit(product, { ...product, variants }, options.now);
  if (!sameMoney(current.price, variant.price)) {
    change.events.push(priceChanged(product, variant, current.price));
  }
  return { ...change, variant };
}

/** Removes a variant; the last variant of an ACTIVE product stays (FAILED_PRECONDITION). */
export function removeVariant(
  product: Product,
  variantId: string,
  options: Omit<VariantOptions, "field" | "currency">,
): ProductChange {
  checkVersion(product, options.version);
  if (!product.variants.some((variant) => variant.id === variantId)) {
    throw notFound(`variant ${variantId} not found`);
  }
  if (product.state === "active" && product.variants.length === 1) {
    throw failedPrecondition(
      "the last variant of an ACTIVE product cannot be removed; archive the product or make it a draft",
    );
  }
  const variants = product.variants.filter((variant) => variant.id !== variantId);
  return commit(product, { ...product, variants }, options.now);
}

function defaultTitleOf(variant: Variant): string {
  return Object.values(variant.optionValues).join(" / ");
}

function priceChanged(product: Product, variant: Variant, old: Money): DomainEvent {
  return domainEvent(PriceChangedSchema, product.id, {
    productId: product.id,
    variantId: variant.id,
    sku: variant.sku,
    oldPrice: old,
    newPrice: variant.price,
  });
}

/**
 * The change from `before` to `after`: a new version and ProductUpdated (plus ProductArchived
 * when it became archived), or nothing when no field differs.
 */
function commit(before: Product, after: Product, now: Date): ProductChange {
  const changed = changedFields(before, after);
  if (changed.length === 0) return { product: before, events: [], changed };
  const product: Product = { ...after, version: before.version + 1, updateTime: now };
  const events: DomainEvent[] = [
    domainEvent(ProductUpdatedSchema, product.id, {
      product: productMessage(product),
      changedFields: changed,
    }),
  ];
  if (product.state === "archived" && before.state !== "archived") {
    events.push(
      domainEvent(ProductArchivedSchema, product.id, {
        productId: product.id,
        slug: product.slug,
        skus: product.variants.map((variant) => variant.sku),
      }),
    );
  }
  return { product, events, changed };
}

/** The proto names of the fields that differ between two versions of a product. */
export function changedFields(before: Product, after: Product): string[] {
  const fields: [string, unknown, unknown][] = [
    ["slug", before.slug, after.slug],
    ["name", before.name, after.name],
    ["description", before.description, after.description],
    ["state", before.state, after.state],
    ["category_ids", before.categoryIds, after.categoryIds],
    ["attributes", before.attributes, after.attributes],
    ["images", before.images, after.images],
    ["variants", before.variants, after.variants],
  ];
  return fields.filter(([, a, b]) => !equal(a, b)).map(([name]) => name);
}

/** Structural equality of plain data (strings, numbers, bigints, arrays, records). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) &&
      equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
