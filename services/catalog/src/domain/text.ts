/** Rules for the free text clients send (names, values, descriptions, queries). */

/**
 * Control characters and bidirectional overrides: they make a name display as another name, and
 * PostgreSQL text cannot hold NUL at all. Single-line texts must not contain any.
 */
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
const INVISIBLE_MULTILINE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** A single-line text as stored: trimmed, inner runs of whitespace one space. */
export function normalizeLine(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

/** A violation description when a single-line text holds invisible characters, else undefined. */
export function invisibleInLine(text: string): string | undefined {
  return INVISIBLE.test(text) ? "must not contain control characters" : undefined;
}

/** A violation description when a multi-line text holds control characters other than tabs and line breaks. */
export function invisibleInText(text: string): string | undefined {
  // Multi-line texts may hold tabs and line breaks, nothing else of the above.
  return INVISIBLE_MULTILINE.test(text.replace(/[\t\n\r]/g, ""))
    ? "must not contain control characters"
    : undefined;
}

/** Length in characters (code points), as limits are stated. */
export function length(text: string): number {
  return [...text].length;
}

/**
 * Checks a normalised single-line text: required (unless `optional`), at most `max` characters,
 * no control characters.
 */
export function checkLine(
  text: string,
  field: string,
  options: { max: number; optional?: boolean },
): { field: string; description: string }[] {
  if (text.length === 0) return options.optional ? [] : [{ field, description: "is required" }];
  if (length(text) > options.max)
    return [{ field, description: `must be at most ${options.max} characters` }];
  const invisible = invisibleInLine(text);
  return invisible ? [{ field, description: invisible }] : [];
}

/** Checks a multi-line text: at most `max` characters, no control characters but tabs and line breaks. */
export function checkText(
  text: string,
  field: string,
  max: number,
): { field: string; description: string }[] {
  if (length(text) > max) return [{ field, description: `must be at most ${max} characters` }];
  const invisible = invisibleInText(text);
  return invisible ? [{ field, description: invisible }] : [];
}
