import type { FieldViolation } from "@shopmesh/kit/errors";

/**
 * Slugs name products and categories in URLs (/products/trail-runner-2). One rule set for both:
 * lower case ASCII letters and digits in words joined by single hyphens, at most 100 characters,
 * and never shaped like a UUID, so `/products/{idOrSlug}` can tell an id from a slug.
 */

export const MAX_SLUG_LENGTH = 100;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Checks a slug a client gave. */
export function checkSlug(slug: string, field: string): FieldViolation[] {
  if (slug.length === 0) return [{ field, description: "is required" }];
  if (slug.length > MAX_SLUG_LENGTH) {
    return [{ field, description: `must be at most ${MAX_SLUG_LENGTH} characters` }];
  }
  if (!SLUG.test(slug)) {
    return [
      { field, description: "must be lower case letters and digits in words joined by single hyphens" },
    ];
  }
  if (UUID_SHAPED.test(slug)) return [{ field, description: "must not look like a UUID" }];
  return [];
}

/**
 * A slug made from a name: accents dropped ("Crème brûlée" → "creme-brulee"), every run of other
 * characters a hyphen, cut to the maximum length at a word boundary. `fallback` when nothing is
 * left (a name of only symbols or non-Latin script).
 */
export function slugify(name: string, fallback: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG_LENGTH) break;
    slug = next;
  }
  if (slug === "" && words[0]) slug = words[0].slice(0, MAX_SLUG_LENGTH);
  if (slug === "") return fallback;
  return UUID_SHAPED.test(slug) ? `${slug.slice(0, MAX_SLUG_LENGTH - 2)}-x` : slug;
}

/**
 * Another slug for `slug` when it is taken: a suffix from `uniquePart` (the id's random tail),
 * keeping the result within the maximum length.
 */
export function disambiguateSlug(slug: string, uniquePart: string): string {
  const suffix = uniquePart
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .slice(-8);
  return `${slug.slice(0, MAX_SLUG_LENGTH - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}
