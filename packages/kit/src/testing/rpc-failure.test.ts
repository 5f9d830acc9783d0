import { describe, expect, it } from "vitest";
import { Code, RpcError } from "../rpc/index.ts";
import { rpcFailure } from "./rpc-failure.ts";

describe("rpcFailure", () => {
  it("returns the RpcError a call fails with", async () => {
    const error = new RpcError("gone", Code.NotFound);
    expect(await rpcFailure(Promise.reject(error))).toBe(error);
  });

  it("throws when the call succeeds", async () => {
    await expect(rpcFailure(Promise.resolve({ id: 1n }))).rejects.toThrow(
      'rpcFailure: the call should have failed, but it succeeded with {"id":"1n"}',
    );
  });

  it("throws when the call fails with something other than an RpcError", async () => {
    const cause = new TypeError("boom");
    await expect(rpcFailure(Promise.reject(cause))).rejects.toMatchObject({
      message: "rpcFailure: the call failed, but not with an RpcError",
      cause,
    });
  });
});
