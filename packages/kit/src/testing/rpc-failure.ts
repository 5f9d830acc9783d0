import { RpcError } from "../rpc/index.ts";

/**
 * Awaits a call expected to fail and returns its RpcError. Throws (failing the test) when the call
 * succeeds or fails with something other than an RpcError.
 */
export async function rpcFailure(call: Promise<unknown>): Promise<RpcError> {
  let value: unknown;
  try {
    value = await call;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw new Error("rpcFailure: the call failed, but not with an RpcError", { cause: error });
  }
  throw new Error(`rpcFailure: the call should have failed, but it succeeded with ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
