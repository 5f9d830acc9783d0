import { z } from "@hono/zod-openapi";
import { PROBLEM_CONTENT_TYPE } from "./problem.ts";

/** The OpenAPI description of the problem+json body (component "Problem"). */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:shopmesh:problem:validation-failed" }),
    title: z.string().openapi({ example: "Bad Request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().openapi({ description: "The request path", example: "/api/v1/auth/register" }),
    requestId: z.string().optional().openapi({ description: "Also in the X-Request-Id response header" }),
    code: z.string().openapi({
      description:
        "Stable machine-readable code to branch on: a shopmesh error reason (MFA_REQUIRED, EMAIL_TAKEN, " +
        "TOKEN_INVALID…) or a generic one (VALIDATION_FAILED, NOT_FOUND, RATE_LIMITED…)",
      example: "VALIDATION_FAILED",
    }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "One entry per invalid field (400 and 422)" }),
  })
  .openapi("Problem");

/** An OpenAPI response whose body is a problem. */
export interface ProblemResponse {
  description: string;
  content: { "application/problem+json": { schema: typeof ProblemSchema } };
}

const DESCRIPTIONS: Record<number, string> = {
  400: "The request does not match the schema (errors names each field) or is not valid JSON",
  401: "No valid access token",
  403: "The token's roles do not allow this",
  404: "Not found",
  409: "Conflicts with the current state",
  413: "The body is too large",
  415: "The body is not JSON",
  422: "A service refused the values (errors names each field) or the resource's state",
  429: "Rate limited; see Retry-After",
  503: "A dependency is unavailable",
};

/**
 * OpenAPI `responses` entries for error statuses, all problem+json:
 *
 *   responses: { 200: {...}, ...problemResponses(400, 401, 422) }
 */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, ProblemResponse> {
  const out = {} as Record<S, ProblemResponse>;
  for (const status of statuses) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? "Error",
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return out;
}
