import { create } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { RetryInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";
import { Code, invalidArgument, RpcError, rpcError } from "@shopmesh/kit/rpc";
import { describe, expect, it } from "vitest";
import { json } from "../../test/support/http.ts";
import { captureLogs } from "../../test/support/logs.ts";
import { requestId } from "../middleware/request-id/index.ts";
import { createErrorHandler, notFoundHandler, ProblemError, validationHook } from "./index.ts";

function createTestApp() {
  const { logger, lines } = captureLogs();
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(createErrorHandler({ logger }));
  app.notFound(notFoundHandler);
  app.use(requestId());
  let thrown: unknown;
  app.get("/throw", () => {
    throw thrown;
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/signup",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({
                email: z.email(),
                name: z.string().min(1),
                address: z.object({ postalCode: z.string().regex(/^\d{5}$/) }),
                items: z.array(z.object({ sku: z.string().min(3) })),
              }),
            },
          },
        },
        query: z.object({ ref: z.string().max(3).optional() }),
      },
      responses: { 200: { description: "ok" } },
    }),
    (c) => c.json({ ok: true }, 200),
  );
  return {
    app,
    lines,
    async throwing(error: unknown, headers: Record<string, string> = {}) {
      thrown = error;
      const res = await app.request("/throw", { headers });
      return { res, body: await json(res) };
    },
  };
}

const validSignup = {
  email: "ada@example.com",
  name: "Ada",
  address: { postalCode: "12345" },
  items: [{ sku: "ABC" }],
};

describe("RpcError to problem+json", () => {
  const cases: [Code, number, string][] = [
    [Code.InvalidArgument, 422, "INVALID_ARGUMENT"],
    [Code.FailedPrecondition, 422, "FAILED_PRECONDITION"],
    [Code.Unauthenticated, 401, "UNAUTHENTICATED"],
    [Code.PermissionDenied, 403, "PERMISSION_DENIED"],
    [Code.NotFound, 404, "NOT_FOUND"],
    [Code.AlreadyExists, 409, "ALREADY_EXISTS"],
    [Code.Aborted, 409, "ABORTED"],
    [Code.ResourceExhausted, 429, "RESOURCE_EXHAUSTED"],
    [Code.Unavailable, 503, "UNAVAILABLE"],
    [Code.DeadlineExceeded, 504, "DEADLINE_EXCEEDED"],
    [Code.Internal, 500, "INTERNAL"],
    [Code.Unknown, 500, "INTERNAL"],
    [Code.DataLoss, 500, "INTERNAL"],
  ];
  for (const [code, status, problemCode] of cases) {
    it(`maps ${Code[code]} to ${status}`, async () => {
      const { throwing } = createTestApp();
      const { res, body } = await throwing(new RpcError("service said no", code));
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(body).toMatchObject({ status, code: problemCode, instance: "/throw" });
    });
  }

  it("passes the service message on for client errors", async () => {
    const { throwing } = createTestApp();
    const { body } = await throwing(new RpcError("order 42 does not exist", Code.NotFound));
    expect(body.detail).toBe("order 42 does not exist");
    expect(body.title).toBe("Not Found");
    expect(body.type).toBe("urn:shopmesh:problem:not-found");
  });

  it("never leaks the message of a server error, but logs it with the request id", async () => {
    const { throwing, lines } = createTestApp();
    const { res, body } = await throwing(new RpcError("pg: relation users does not exist", Code.Internal), {
      "X-Request-Id": "req-500",
    });
    expect(res.status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("relation users");
    expect(body.requestId).toBe("req-500");
    const logged = lines.find((line) => line.msg === "request failed");
    expect(JSON.stringify(logged)).toContain("relation users");
  });

  it("puts the shopmesh error reason in code so clients can branch on it", async () => {
    const { throwing } = createTestApp();
    const { res, body } = await throwing(
      rpcError(Code.Unauthenticated, "a one-time code is required", ErrorReason.MFA_REQUIRED),
    );
    expect(res.status).toBe(401);
    expect(body.code).toBe("MFA_REQUIRED");
    expect(body.type).toBe("urn:shopmesh:problem:mfa-required");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("lists a service's field violations as errors on a 422", async () => {
    const { throwing } = createTestApp();
    const { res, body } = await throwing(
      invalidArgument([
        { field: "address.postalCode", description: "is not a postal code of DE" },
        { field: "displayName", description: "is too long" },
      ]),
    );
    expect(res.status).toBe(422);
    expect(body.errors).toEqual([
      { field: "address.postalCode", message: "is not a postal code of DE" },
      { field: "displayName", message: "is too long" },
    ]);
  });

  it("turns google.rpc.RetryInfo into Retry-After on a 429", async () => {
    const { throwing } = createTestApp();
    const error = new RpcError("slow down", Code.ResourceExhausted, undefined, [
      {
        desc: RetryInfoSchema,
        value: { retryDelay: create(DurationSchema, { seconds: 7n, nanos: 500_000_000 }) },
      },
    ]);
    const { res } = await throwing(error);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("8");
  });

  it("gives Unavailable a generic detail", async () => {
    const { throwing } = createTestApp();
    const { body } = await throwing(new RpcError("connect ECONNREFUSED 10.0.0.7:50051", Code.Unavailable));
    expect(body.detail).not.toContain("10.0.0.7");
  });
});

describe("other errors", () => {
  it("sends a ProblemError exactly as described", async () => {
    const { throwing } = createTestApp();
    const { res, body } = await throwing(
      new ProblemError({ status: 409, code: "CART_CHANGED", detail: "reload", headers: { "X-Extra": "1" } }),
    );
    expect(res.status).toBe(409);
    expect(res.headers.get("x-extra")).toBe("1");
    expect(body).toMatchObject({ code: "CART_CHANGED", detail: "reload", title: "Conflict" });
  });

  it("makes anything unexpected a 500 problem without internals", async () => {
    const { throwing } = createTestApp();
    const { res, body } = await throwing(new TypeError("cannot read properties of undefined (reading 'id')"));
    expect(res.status).toBe(500);
    expect(body).toMatchObject({ code: "INTERNAL", detail: "An unexpected error occurred." });
    expect(typeof body.requestId).toBe("string");
  });

  it("answers an unknown route with a 404 problem", async () => {
    const { app } = createTestApp();
    const res = await app.request("/nowhere");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({ code: "NOT_FOUND", instance: "/nowhere" });
  });
});

describe("request validation", () => {
  function post(app: OpenAPIHono, body: string, contentType = "application/json", query = "") {
    return app.request(`/signup${query}`, {
      method: "POST",
      body,
      headers: contentType ? { "Content-Type": contentType } : {},
    });
  }

  it("accepts a valid body", async () => {
    const { app } = createTestApp();
    const res = await post(app, JSON.stringify(validSignup));
    expect(res.status).toBe(200);
  });

  it("names every invalid field, nested and in arrays, in a 400", async () => {
    const { app } = createTestApp();
    const res = await post(
      app,
      JSON.stringify({ ...validSignup, email: "nope", address: { postalCode: "x" }, items: [{ sku: "A" }] }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await json(res);
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "address.postalCode",
      "email",
      "items[0].sku",
    ]);
    expect(body.detail).toContain("3 invalid fields");
  });

  it("names unknown fields of a strict body one by one", async () => {
    const { app } = createTestApp();
    const res = await post(app, JSON.stringify({ ...validSignup, isAdmin: true }));
    const body = await json(res);
    expect(res.status).toBe(400);
    expect(body.errors).toEqual([{ field: "isAdmin", message: "is not a known field" }]);
  });

  it("names a missing required field", async () => {
    const { app } = createTestApp();
    const { name: _, ...withoutName } = validSignup;
    const body = await json(await post(app, JSON.stringify(withoutName)));
    expect(body.errors).toEqual([{ field: "name", message: expect.any(String) }]);
  });

  it("prefixes query parameters with query.", async () => {
    const { app } = createTestApp();
    const res = await post(app, JSON.stringify(validSignup), "application/json", "?ref=toolong");
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].field).toBe("query.ref");
  });

  it("answers malformed JSON with a 400 MALFORMED_JSON problem", async () => {
    const { app } = createTestApp();
    const res = await post(app, '{"email": "ada@example.com",');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      code: "MALFORMED_JSON",
      detail: "The request body is not valid JSON.",
    });
  });

  it("answers a non-JSON content type with 415", async () => {
    const { app } = createTestApp();
    const res = await post(app, "email=ada@example.com", "application/x-www-form-urlencoded");
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers a body without a content type with 415", async () => {
    const { app } = createTestApp();
    const res = await post(app, JSON.stringify(validSignup), "");
    expect(res.status).toBe(415);
  });
});
