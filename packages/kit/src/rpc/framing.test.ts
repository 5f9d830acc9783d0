import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createMessageDecoder, decodeRequestMessage, encodeMessage } from "./framing.ts";

function codeOf(run: () => unknown): Code | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ConnectError ? error.code : undefined;
  }
  return undefined;
}

describe("gRPC message framing", () => {
  it("decodes messages split across and joined within chunks", () => {
    const a = encodeMessage(new Uint8Array([1, 2, 3]));
    const b = encodeMessage(new Uint8Array([]));
    const c = encodeMessage(new Uint8Array([9, 9]));
    const all = Buffer.concat([a, b, c]);
    const decoder = createMessageDecoder(1024);
    const out = [
      ...decoder.push(all.subarray(0, 2)),
      ...decoder.push(all.subarray(2, 9)),
      ...decoder.push(all.subarray(9)),
    ];
    expect(out.map((m) => [...m])).toEqual([[1, 2, 3], [], [9, 9]]);
  });

  it("refuses oversized and compressed messages", () => {
    expect(() => createMessageDecoder(2).push(encodeMessage(new Uint8Array([1, 2, 3])))).toThrow(/exceeds/);
    const compressed = encodeMessage(new Uint8Array([1]));
    compressed[0] = 1;
    expect(() => createMessageDecoder(10).push(compressed)).toThrow(/compressed/);
  });

  it("takes the one message of a request body, empty messages included", () => {
    expect([...decodeRequestMessage(encodeMessage(new Uint8Array([7, 8])), 10)]).toEqual([7, 8]);
    expect([...decodeRequestMessage(encodeMessage(new Uint8Array([])), 10)]).toEqual([]);
  });

  it("refuses malformed request bodies with grpc's codes", () => {
    const one = encodeMessage(new Uint8Array([1, 2, 3]));
    const compressed = Buffer.from(one);
    compressed[0] = 1;
    expect(codeOf(() => decodeRequestMessage(Buffer.alloc(0), 10))).toBe(Code.Unimplemented);
    expect(codeOf(() => decodeRequestMessage(Buffer.concat([one, one]), 10))).toBe(Code.Unimplemented);
    expect(codeOf(() => decodeRequestMessage(compressed, 10))).toBe(Code.Unimplemented);
    expect(codeOf(() => decodeRequestMessage(one.subarray(0, 6), 10))).toBe(Code.Internal);
    expect(codeOf(() => decodeRequestMessage(one.subarray(0, 3), 10))).toBe(Code.Internal);
    expect(codeOf(() => decodeRequestMessage(one, 2))).toBe(Code.ResourceExhausted);
  });
});
