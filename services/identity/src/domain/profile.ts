import type { FieldViolation } from "@shopmesh/kit/errors";

export const MAX_DISPLAY_NAME_LENGTH = 100;
const MAX_LOCALE_LENGTH = 35;
// Language, then subtags: BCP 47 in the shape browsers and Accept-Language send.
const LOCALE = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
// Control characters and bidirectional overrides: they make a name display as another name.
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** A display name as stored: trimmed, inner runs of whitespace collapsed to one space. */
export function normalizeDisplayName(name: string): string {
  return name.trim().replace(/\s+/g, " ");
}

/** Checks a normalised display name: 1 to 100 characters, no control characters. */
export function checkDisplayName(name: string, field = "displayName"): FieldViolation[] {
  const length = [...name].length;
  if (length === 0) return [{ field, description: "is required" }];
  if (length > MAX_DISPLAY_NAME_LENGTH) {
    return [{ field, description: `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters` }];
  }
  if (INVISIBLE.test(name)) return [{ field, description: "must not contain control characters" }];
  return [];
}

/**
 * A BCP 47 language tag in canonical case ("de-ch" → "de-CH"), "" for an empty input (the
 * platform default), or undefined when it is not a language tag.
 */
export function normalizeLocale(locale: string): string | undefined {
  const tag = locale.trim();
  if (tag === "") return "";
  if (tag.length > MAX_LOCALE_LENGTH || !LOCALE.test(tag)) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** Checks a locale: empty, or a BCP 47 language tag. */
export function checkLocale(locale: string, field = "locale"): FieldViolation[] {
  return normalizeLocale(locale) === undefined
    ? [{ field, description: 'must be a BCP 47 language tag like "en" or "de-CH"' }]
    : [];
}
