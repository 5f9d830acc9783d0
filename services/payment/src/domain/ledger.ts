import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { moneyMessage } from "./money.ts";

/** The kinds of ledger entries (shopmesh.payment.v1.LedgerEntryKind). */
export type LedgerKind = "authorization" | "capture" | "void" | "refund";

/**
 * One money movement of a payment intent, appended and never changed. The amount is positive
 * for money towards the shop (capture), negative for money back to the customer (refund), and
 * zero for authorisations and voids, which hold or release money without moving it.
 */
export interface LedgerEntry {
  id: string;
  paymentIntentId: string;
  kind: LedgerKind;
  amount: bigint;
  currency: string;
  createTime: Date;
}

/**
 * A ledger entry of `kind` for `magnitude` minor units: the sign follows from the kind (capture
 * positive, refund negative), and authorisations and voids are always zero.
 */
export function ledgerEntry(
  kind: LedgerKind,
  intent: { id: string; currency: string },
  magnitude: bigint,
  id: string,
  now: Date,
): LedgerEntry {
  const amount = kind === "capture" ? magnitude : kind === "refund" ? -magnitude : 0n;
  return { id, paymentIntentId: intent.id, kind, amount, currency: intent.currency, createTime: now };
}

const KIND_NUMBERS: Record<LedgerKind, number> = { authorization: 1, capture: 2, void: 3, refund: 4 };

/** The proto LedgerEntry of responses. */
export function ledgerEntryMessage(entry: LedgerEntry) {
  return {
    id: entry.id,
    paymentIntentId: entry.paymentIntentId,
    kind: KIND_NUMBERS[entry.kind],
    amount: moneyMessage(entry.amount, entry.currency),
    createTime: timestampFromDate(entry.createTime),
  };
}
