import type { FieldViolation } from "@shopmesh/kit/errors";
import type { Attribute, Image, ProductState } from "./product.ts";
import { checkSlug } from "./slug.ts";
import { checkLine, checkText, normalizeLine } from "./text.ts";

/** What a client sends for a product's own fields (variants aside). */
export interface ProductInput {
  slug: string;
  name: string;
  description: string;
  /** Undefined for PRODUCT_STATE_UNSPECIFIED. */
  state: ProductState | undefined;
  categoryIds: string[];
  attributes: Attribute[];
  images: Image[];
}

export const PRODUCT_LIMITS = {
  name: 200,
  description: 20_000,
  categories: 20,
  attributes: 50,
  attributeName: 40,
  attributeValue: 200,
  images: 20,
  imageUrl: 2_000,
  altText: 300,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks and normalises the selected fields (proto paths) of a product input. */
export function checkProductFields(
  input: ProductInput,
  selected: readonly string[],
  prefix: string,
): { value: ProductInput; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  const value: ProductInput = { ...input };
  if (selected.includes("name")) {
    value.name = normalizeLine(input.name);
    violations.push(...checkLine(value.name, at("name"), { max: PRODUCT_LIMITS.name }));
  }
  if (selected.includes("slug")) {
    value.slug = input.slug.trim();
    violations.push(...checkSlug(value.slug, at("slug")));
  }
  if (selected.includes("description")) {
    value.description = input.description.trim();
    violations.push(...checkText(value.description, at("description"), PRODUCT_LIMITS.description));
  }
  if (selected.includes("state") && input.state === undefined) {
    violations.push({ field: at("state"), description: "must be DRAFT, ACTIVE or ARCHIVED" });
  }
  if (selected.includes("category_ids")) {
    value.categoryIds = [...new Set(input.categoryIds.map((id) => id.trim().toLowerCase()))];
    if (value.categoryIds.length > PRODUCT_LIMITS.categories) {
      violations.push({
        field: at("categoryIds"),
        description: `must hold at most ${PRODUCT_LIMITS.categories} categories`,
      });
    }
    input.categoryIds.forEach((id, i) => {
      if (!UUID.test(id.trim()))
        violations.push({ field: `${at("categoryIds")}[${i}]`, description: "must be a UUID" });
    });
  }
  if (selected.includes("attributes")) {
    const checked = checkAttributes(input.attributes, at("attributes"));
    value.attributes = checked.value;
    violations.push(...checked.violations);
  }
  if (selected.includes("images")) {
    const checked = checkImages(input.images, at("images"));
    value.images = checked.value;
    violations.push(...checked.violations);
  }
  return { value, violations };
}

function checkAttributes(
  attributes: readonly Attribute[],
  field: string,
): { value: Attribute[]; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  if (attributes.length > PRODUCT_LIMITS.attributes) {
    violations.push({ field, description: `must hold at most ${PRODUCT_LIMITS.attributes} attributes` });
  }
  const seen = new Set<string>();
  const value: Attribute[] = [];
  attributes.forEach((attribute, i) => {
    const name = normalizeLine(attribute.name);
    const text = normalizeLine(attribute.value);
    violations.push(...checkLine(name, `${field}[${i}].name`, { max: PRODUCT_LIMITS.attributeName }));
    violations.push(...checkLine(text, `${field}[${i}].value`, { max: PRODUCT_LIMITS.attributeValue }));
    const key = `${name}\u0000${text}`;
    if (!seen.has(key)) value.push({ name, value: text });
    seen.add(key);
  });
  return { value, violations };
}

function checkImages(
  images: readonly Image[],
  field: string,
): { value: Image[]; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  if (images.length > PRODUCT_LIMITS.images) {
    violations.push({ field, description: `must hold at most ${PRODUCT_LIMITS.images} images` });
  }
  const value = images.map((image, i) => {
    const url = image.url.trim();
    const altText = normalizeLine(image.altText);
    const urlField = `${field}[${i}].url`;
    const urlViolations = checkLine(url, urlField, { max: PRODUCT_LIMITS.imageUrl });
    if (urlViolations.length === 0 && !isHttpUrl(url)) {
      urlViolations.push({ field: urlField, description: "must be an absolute http or https URL" });
    }
    violations.push(...urlViolations);
    violations.push(
      ...checkLine(altText, `${field}[${i}].altText`, { max: PRODUCT_LIMITS.altText, optional: true }),
    );
    return { url, altText };
  });
  return { value, violations };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}
