import { Code, RpcError } from "@shopmesh/kit/rpc";
import { PeerError } from "../sources/peer-error.ts";
import { StoreUnavailableError } from "../store/errors.ts";

/**
 * The cart's own infrastructure failures as statuses (the kit's toRpcError does the rest):
 * Redis out of reach is UNAVAILABLE, a failed peer UNAVAILABLE or DEADLINE_EXCEEDED — never the
 * peer's own status, which would tell the customer something false.
 */
export function cartErrorMapper(error: unknown): RpcError | undefined {
  if (error instanceof StoreUnavailableError) return new RpcError(error.message, Code.Unavailable);
  if (error instanceof PeerError) {
    if (error.code === Code.DeadlineExceeded) {
      return new RpcError(`${error.peer} did not answer in time`, Code.DeadlineExceeded);
    }
    if (error.code === Code.Canceled) return new RpcError("the call was cancelled", Code.Canceled);
    return new RpcError(`${error.peer} is unavailable; try again`, Code.Unavailable);
  }
  return undefined;
}
