import { describe, expect, it } from "vitest";
import { createMessageDecoder, encodeMessage } from "./framing.ts";

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
});
