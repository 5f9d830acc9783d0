/**
 * The test payment tokens of the built-in "sandbox" provider (shopmesh.payment.v1.PaymentService).
 * Each behaves the same way every time, like the test cards of a real processor:
 *
 * | token                            | brand      | last4 | behaviour                                              |
 * |----------------------------------|------------|-------|--------------------------------------------------------|
 * | `tok_sandbox_visa`               | visa       | 4242  | authorised                                             |
 * | `tok_sandbox_mastercard`         | mastercard | 4444  | authorised                                             |
 * | `tok_sandbox_declined`           | visa       | 0002  | declined, decline_code `card_declined`                 |
 * | `tok_sandbox_insufficient_funds` | visa       | 9995  | declined, decline_code `insufficient_funds`            |
 * | `tok_sandbox_processor_error`    | visa       | 0119  | the processor fails: UNAVAILABLE, every time           |
 * | `tok_sandbox_async`              | visa       | 3155  | REQUIRES_CONFIRMATION, confirmed later by a webhook    |
 *
 * `tok_sandbox_processor_error` stands for a flaky processor that never recovers: nothing is
 * recorded under the idempotency key, so a retry with the same key tries again, and fails again.
 */

export type SandboxBehaviour = "authorize" | "decline" | "processor_error" | "confirm_async";

export interface SandboxCard {
  token: string;
  brand: string;
  last4: string;
  behaviour: SandboxBehaviour;
  /** For "decline": the decline code. */
  declineCode?: string;
  /** For "decline": the processor's sentence. */
  message?: string;
}

export const SANDBOX_CARDS: readonly SandboxCard[] = [
  { token: "tok_sandbox_visa", brand: "visa", last4: "4242", behaviour: "authorize" },
  { token: "tok_sandbox_mastercard", brand: "mastercard", last4: "4444", behaviour: "authorize" },
  {
    token: "tok_sandbox_declined",
    brand: "visa",
    last4: "0002",
    behaviour: "decline",
    declineCode: "card_declined",
    message: "the card was declined",
  },
  {
    token: "tok_sandbox_insufficient_funds",
    brand: "visa",
    last4: "9995",
    behaviour: "decline",
    declineCode: "insufficient_funds",
    message: "the card has insufficient funds",
  },
  { token: "tok_sandbox_processor_error", brand: "visa", last4: "0119", behaviour: "processor_error" },
  { token: "tok_sandbox_async", brand: "visa", last4: "3155", behaviour: "confirm_async" },
];

const BY_TOKEN = new Map(SANDBOX_CARDS.map((card) => [card.token, card]));

/** The sandbox card of a test token; undefined for anything else. */
export function sandboxCard(token: string): SandboxCard | undefined {
  return BY_TOKEN.get(token);
}
