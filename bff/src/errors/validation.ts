import type { Hook } from "@hono/zod-openapi";
import type { Env } from "hono";
import type { z } from "zod";
import { type FieldError, ProblemError } from "./problem.ts";

/** Where a value came from; body fields are named bare, the others with this prefix. */
const TARGET_PREFIX: Record<string, string> = {
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
  form: "",
  json: "",
};

/**
 * The `defaultHook` of every OpenAPIHono app of the BFF: a request that fails its route's schema
 * becomes a 400 problem (code VALIDATION_FAILED) with one entry per bad field.
 */
export const validationHook: Hook<unknown, Env, string, void> = (result) => {
  if (result.success) return;
  const errors = fieldErrors(result.error, result.target);
  const fields = [...new Set(errors.map((e) => e.field))];
  throw new ProblemError({
    status: 400,
    code: "VALIDATION_FAILED",
    detail: `The request has ${fields.length === 1 ? "an invalid field" : `${fields.length} invalid fields`}: ${fields.join(", ")}.`,
    errors,
  });
};

/** One FieldError per zod issue (per key for unrecognized keys), named by dotted path. */
export function fieldErrors(error: z.ZodError, target = "json"): FieldError[] {
  const prefix = TARGET_PREFIX[target] ?? target;
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        errors.push({ field: fieldPath(prefix, [...issue.path, key]), message: "is not a known field" });
      }
      continue;
    }
    errors.push({ field: fieldPath(prefix, issue.path), message: issue.message });
  }
  return errors;
}

/** ["items", 0, "sku"] → "items[0].sku"; an empty path names the whole value ("body"). */
function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "body";
}
