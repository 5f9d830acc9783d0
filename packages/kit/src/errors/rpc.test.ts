import { create } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoService } from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { describe, expect, it } from "vitest";
import { Code, errorReason, fieldViolations, RpcError } from "../rpc/errors.ts";
import type { ServiceHandlers } from "../rpc/types.ts";
import { failedPrecondition, invalidField, notFound, staleVersion } from "./domain-error.ts";
import { toRpcError, withErrorMapping } from "./rpc.ts";

function asRpc(error: unknown): RpcError {
  const mapped = toRpcError(error);
  expect(mapped).toBeInstanceOf(RpcError);
  return mapped as RpcError;
}

describe("toRpcError", () => {
  it("maps each domain kind to its code with reason, metadata and named fields", () => {
    const invalid = asRpc(invalidField("lines[0].sku", "is required"));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(invalid)).toEqual([{ field: "lines[0].sku", description: "is required" }]);

    const short = asRpc(failedPrecondition("not enough", "OUT_OF_STOCK", { skus: "A" }));
    expect(short.code).toBe(Code.FailedPrecondition);
    expect(errorReason(short)).toBe("OUT_OF_STOCK");

    expect(asRpc(notFound("gone")).code).toBe(Code.NotFound);
    expect(asRpc(staleVersion("old")).code).toBe(Code.Aborted);
  });

  it("maps a lost database race to ABORTED and passes unknown errors on", () => {
    expect(asRpc({ code: "40001", message: "could not serialize" }).code).toBe(Code.Aborted);
    const bug = new TypeError("bug");
    expect(toRpcError(bug)).toBe(bug);
  });

  it("asks the service's own mapper before giving up", () => {
    const mapped = toRpcError(new Error("redis down"), () => new RpcError("store down", Code.Unavailable));
    expect((mapped as RpcError).code).toBe(Code.Unavailable);
  });
});

describe("withErrorMapping", () => {
  it("maps failures of unary and server-streaming handlers", async () => {
    const handlers = {
      echo: async () => {
        throw notFound("no such message");
      },
      echoStream: async function* () {
        yield { message: "first" };
        throw failedPrecondition("stream broke");
      },
    } as unknown as ServiceHandlers<typeof EchoService>;
    const wrapped = withErrorMapping(EchoService, handlers) as unknown as Record<
      string,
      (request: unknown, ctx: unknown) => unknown
    >;
    const request = create(EchoRequestSchema, { message: "hi" });
    await expect(wrapped.echo?.(request, {})).rejects.toMatchObject({ code: Code.NotFound });
    const stream = wrapped.echoStream?.(request, {}) as AsyncIterable<unknown>;
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const item of stream) seen.push(item);
      })(),
    ).rejects.toMatchObject({ code: Code.FailedPrecondition });
    expect(seen).toHaveLength(1);
  });
});
