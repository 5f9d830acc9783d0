import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { Code, errorReason, RpcError } from "@shopmesh/kit/rpc";
import type { StepFailure } from "../domain/failures.ts";

/**
 * A failed call to `service` as the saga's domain sees it: the code's name, the shopmesh reason
 * and its metadata. Anything that is not an RPC error (a bug, a broken response) counts as
 * INTERNAL, which the saga retries a bounded number of times like an outage.
 */
export function stepFailure(service: string, error: unknown): StepFailure {
  if (error instanceof RpcError) {
    const info = error.findDetails(ErrorInfoSchema).find((detail) => detail.domain === "shopmesh");
    return {
      service,
      code: Code[error.code] ?? "Unknown",
      ...(errorReason(error) ? { reason: errorReason(error) } : {}),
      ...(info ? { metadata: { ...info.metadata } } : {}),
      message: error.rawMessage,
    };
  }
  return { service, code: "Internal", message: (error as Error)?.message ?? String(error) };
}

/** A call's failure tagged with its service, so the engine can read it after the step. */
export class PeerCallError extends Error {
  override readonly name = "PeerCallError";
  readonly failure: StepFailure;
  constructor(failure: StepFailure) {
    super(`${failure.service}: ${failure.code}: ${failure.message}`);
    this.failure = failure;
  }
}

/** Runs a call to `service`; its failure is rethrown as a PeerCallError naming the service. */
export async function call<T>(service: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new PeerCallError(stepFailure(service, error));
  }
}

/** True when a PeerCallError has the given code name ("NotFound"). */
export function failedWith(error: unknown, code: string): boolean {
  return error instanceof PeerCallError && error.failure.code === code;
}
