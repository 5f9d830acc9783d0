import { type Code, RpcError } from "@shopmesh/kit/rpc";

/**
 * A peer (catalog, inventory) failed to answer. The cart cannot price a cart without them, but
 * their status must not pass through as the cart's own: a peer's UNAUTHENTICATED or NOT_FOUND
 * would tell the customer something false. rpc/errors.ts turns it into UNAVAILABLE (or
 * DEADLINE_EXCEEDED when the peer was too slow).
 */
export class PeerError extends Error {
  override readonly name = "PeerError";
  readonly peer: string;
  /** The peer's status code, when it answered with one. */
  readonly code: Code | undefined;

  constructor(peer: string, cause: unknown) {
    const code = cause instanceof RpcError ? cause.code : undefined;
    super(`${peer} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.peer = peer;
    this.code = code;
  }
}

/** Runs a call to `peer`, turning any failure into a PeerError. */
export async function callPeer<T>(peer: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new PeerError(peer, error);
  }
}
