import { createHash } from "node:crypto";
import type { Context } from "hono";
import { ProblemError } from "../../errors/index.ts";

/** A weak validator of a JSON body: equal bodies, equal tags (compression keeps it valid). */
export function weakEtag(body: string): string {
  return `W/"${createHash("sha1").update(body).digest("base64url")}"`;
}

/** True when the request's If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2) or is "*". */
export function notModified(c: Context, etag: string): boolean {
  const header = c.req.header("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

/**
 * Answers a cacheable read: the JSON with its ETag, or 304 when the client has it already.
 * Anonymous answers are the same for everyone, so shared caches may keep them; a signed-in
 * caller's answer may differ (staff see more), so it stays in that user's cache only.
 */
export function cachedJson(c: Context, value: unknown, maxAgeS = 60): Response {
  const body = JSON.stringify(value);
  return cachedBody(c, { body, etag: weakEtag(body) }, maxAgeS);
}

/** cachedJson for JSON already serialised, with its ETag (the BFF's response cache keeps both). */
export function cachedBody(c: Context, answer: { body: string; etag: string }, maxAgeS = 60): Response {
  const { body, etag } = answer;
  const scope = c.get("principal") ? "private" : "public";
  c.header("ETag", etag);
  c.header("Cache-Control", `${scope}, max-age=${maxAgeS}`);
  c.header("Vary", "Authorization", { append: true });
  if (notModified(c, etag)) return c.body(null, 304);
  c.header("Content-Type", "application/json");
  return c.body(body, 200);
}

/**
 * The version a write is based on: the body's `version`, else If-Match (`"7"` or `W/"7"`, as
 * the admin reads send it in ETag). Undefined when the client sent neither.
 */
export function expectedVersion(c: Context, fromBody: number | undefined): number | undefined {
  if (fromBody !== undefined) return fromBody;
  const header = c.req.header("if-match");
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(header.trim());
  if (!match) {
    throw new ProblemError({
      status: 400,
      code: "VALIDATION_FAILED",
      detail: "If-Match must be the quoted version from the product's ETag.",
      errors: [{ field: "header.if-match", message: 'must be a quoted version like "3"' }],
    });
  }
  return Number(match[1]);
}

/**
 * Like expectedVersion, but a write without a version is refused (428): an update that does not
 * say what it was based on could silently overwrite someone else's change.
 */
export function requiredVersion(c: Context, fromBody: number | undefined): number {
  const version = expectedVersion(c, fromBody);
  if (version !== undefined) return version;
  throw new ProblemError({
    status: 428,
    code: "PRECONDITION_REQUIRED",
    detail: "Send the version you read, as `version` in the body or as If-Match.",
    errors: [{ field: "version", message: "is required (or the If-Match header)" }],
  });
}
