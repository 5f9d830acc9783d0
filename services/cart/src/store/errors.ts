/**
 * Redis could not be reached (refused, closed, timed out): rpc/errors.ts answers UNAVAILABLE.
 * A reply error from Redis itself (a script bug) is not one of these and stays internal.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";

  constructor(cause: unknown) {
    super(`the cart store is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Runs a Redis command, turning connection failures into StoreUnavailableError. */
export async function redisCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // ioredis raises ReplyError for an answer from the server; anything else is the connection.
    if (error instanceof Error && error.name === "ReplyError") throw error;
    throw new StoreUnavailableError(error);
  }
}
