import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type { DomainError } from "@shopmesh/kit/errors";
import {
  type IdempotentOutcome,
  isFinalError,
  replay,
  restoreError,
  storeError,
} from "../domain/idempotency.ts";
import type { PaymentIntent } from "../domain/payment-intent.ts";
import type { Transaction } from "../store/index.ts";
import type { PaymentDeps } from "./deps.ts";

/** One mutating call under an idempotency key. */
export interface IdempotentCall<S extends DescMessage> {
  /** The RPC's name ("CapturePayment"): keys are scoped per method. */
  method: string;
  key: string;
  /** requestFingerprint of everything in the request but the key. */
  fingerprint: string;
  /** The response message's schema: the answer is kept as its binary form. */
  response: S;
  /**
   * The intent the call acts on, if any: locked (FOR UPDATE) by the statement that claims the
   * key and handed to the effect, undefined when there is no such intent.
   */
  intentId?: string;
}

/**
 * What an effect decided: a response, or a final error to answer (a decline, recorded with its
 * FAILED intent). Either is kept under the key with the effect's writes.
 */
export type EffectResult<S extends DescMessage> =
  | { response: MessageInitShape<S>; paymentIntentId?: string }
  | { error: DomainError; paymentIntentId?: string };

/**
 * Runs `effect` at most once per (method, key), Stripe's way, in one transaction:
 *
 * 1. claim the key: its row is inserted first, so concurrent calls with the key wait for the
 *    first one's transaction (and the intent `call.intentId` is locked in the same statement);
 * 2. a kept answer is answered again (IDEMPOTENCY_KEY_REUSED when the request differs), with no
 *    second effect;
 * 3. otherwise run the effect (provider call included) and keep its answer with its writes, in
 *    the statement that writes them: a response, or a final DomainError it threw or returned.
 *    Transient failures (the processor UNAVAILABLE, a database error, a lost race) roll
 *    everything back, the claim included, so a retry with the same key tries again.
 *
 * An effect throws only before it stages writes: its domain checks come first, its writes last.
 */
export async function runIdempotent<S extends DescMessage>(
  deps: Pick<PaymentDeps, "store" | "replays">,
  call: IdempotentCall<S>,
  effect: (tx: Transaction, intent: PaymentIntent | undefined) => Promise<EffectResult<S>>,
): Promise<MessageShape<S>> {
  const outcome = await deps.store.transaction(async (tx): Promise<IdempotentOutcome> => {
    const claim = await tx.claimKey(
      { method: call.method, key: call.key, fingerprint: call.fingerprint, createTime: new Date() },
      call.intentId,
    );
    if (claim.kind === "kept") {
      const answer = replay(claim.record, call.fingerprint);
      deps.replays?.inc({ method: call.method });
      return answer;
    }
    let result: EffectResult<S>;
    try {
      result = await effect(tx, claim.intent);
    } catch (error) {
      if (!isFinalError(error)) throw error;
      result = { error };
    }
    const answer: IdempotentOutcome =
      "error" in result
        ? { kind: "error", error: storeError(result.error) }
        : { kind: "response", response: toBinary(call.response, create(call.response, result.response)) };
    tx.keepAnswer({
      method: call.method,
      key: call.key,
      outcome: answer,
      paymentIntentId: result.paymentIntentId,
    });
    try {
      await tx.flush();
    } catch (error) {
      // A final error of the write itself (providerPaymentKnown) wrote nothing: it is the answer.
      if (!isFinalError(error)) throw error;
      const refusal: IdempotentOutcome = { kind: "error", error: storeError(error) };
      tx.keepAnswer({ method: call.method, key: call.key, outcome: refusal, paymentIntentId: undefined });
      await tx.flush();
      return refusal;
    }
    return answer;
  });
  if (outcome.kind === "error") throw restoreError(outcome.error);
  return fromBinary(call.response, outcome.response);
}
