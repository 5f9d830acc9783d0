import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  type ChainedFields,
  type ChainHead,
  canonicalJson,
  chainEntry,
  createChainVerifier,
  EMPTY_HEAD,
  entryHash,
  GENESIS_HASH,
} from "./chain.ts";

function fields(n: number): Omit<ChainedFields, "sequence"> {
  return {
    eventId: `event-${n}`,
    eventType: "shopmesh.order.v1.OrderPlaced",
    context: "order",
    actor: "user:u-1",
    subject: `order-${n}`,
    eventTime: new Date(Date.UTC(2026, 2, 1, 10, 0, n)),
    correlationId: "corr-1",
    causationId: "",
    payloadSummary: { order: { id: `order-${n}`, total: { amountMinor: "1000", currency: "EUR" } } },
    recordTime: new Date(Date.UTC(2026, 2, 1, 10, 0, n, 5)),
  };
}

function chain(length: number): { entries: AuditEntry[]; head: ChainHead } {
  const entries: AuditEntry[] = [];
  let head = EMPTY_HEAD;
  for (let n = 1; n <= length; n++) {
    const entry = chainEntry(head, fields(n));
    entries.push(entry);
    head = { sequence: entry.sequence, hash: entry.hash };
  }
  return { entries, head };
}

function verify(entries: AuditEntry[], head: ChainHead) {
  const verifier = createChainVerifier();
  verifier.check(entries.slice(0, 2));
  verifier.check(entries.slice(2));
  return verifier.finish(head);
}

describe("canonicalJson", () => {
  it("sorts object keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });
});

describe("the hash chain", () => {
  it("links the first entry to the genesis hash and numbers entries from 1", () => {
    const { entries } = chain(2);
    expect(entries[0]).toMatchObject({ sequence: 1, previousHash: GENESIS_HASH });
    expect(entries[1]).toMatchObject({ sequence: 2, previousHash: entries[0]!.hash });
    expect(entries[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives another hash when any field changes, whatever the key order of the summary", () => {
    const base = { ...fields(1), sequence: 1 };
    const hash = entryHash(GENESIS_HASH, base);
    expect(
      entryHash(GENESIS_HASH, {
        ...base,
        payloadSummary: { order: { total: { currency: "EUR", amountMinor: "1000" }, id: "order-1" } },
      }),
    ).toBe(hash);
    for (const change of [
      { actor: "user:u-2" },
      { subject: "order-x" },
      { eventTime: new Date(base.eventTime.getTime() + 1) },
      { payloadSummary: { order: { id: "order-1" } } },
      { sequence: 2 },
    ]) {
      expect(entryHash(GENESIS_HASH, { ...base, ...change })).not.toBe(hash);
    }
    expect(entryHash("f".repeat(64), base)).not.toBe(hash);
  });

  it("verifies an untouched chain", () => {
    const { entries, head } = chain(5);
    expect(verify(entries, head)).toEqual({ valid: true, entriesChecked: 5, head });
    expect(createChainVerifier().finish(EMPTY_HEAD).valid).toBe(true);
  });

  it("finds a changed entry", () => {
    const { entries, head } = chain(5);
    entries[2] = { ...entries[2]!, actor: "user:someone-else" };
    expect(verify(entries, head).firstBreak).toMatchObject({ sequence: 3, kind: "hash_mismatch" });
  });

  it("finds a changed entry whose hash was recomputed, at the next link", () => {
    const { entries, head } = chain(5);
    const forged = { ...entries[2]!, actor: "user:someone-else" };
    entries[2] = { ...forged, hash: entryHash(forged.previousHash, forged) };
    expect(verify(entries, head).firstBreak).toMatchObject({ sequence: 4, kind: "link_mismatch" });
  });

  it("finds a deleted entry", () => {
    const { entries, head } = chain(5);
    entries.splice(1, 1);
    expect(verify(entries, head).firstBreak).toMatchObject({ sequence: 2, kind: "sequence_gap" });
  });

  it("finds entries deleted from the end through the head", () => {
    const { entries, head } = chain(5);
    expect(verify(entries.slice(0, 3), head)).toMatchObject({
      valid: false,
      entriesChecked: 3,
      firstBreak: { sequence: 4, kind: "head_mismatch" },
    });
  });
});
