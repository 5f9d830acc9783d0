import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PageCursorSchema } from "@shopmesh/contracts/shopmesh/common/v1/paging_pb";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.ts";
import { decodePageToken, encodePageToken, filterHash, nextPageToken, pageSize } from "./index.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 16);

const parse = (cursor: { key: string; id: string }) => (cursor.id ? cursor : undefined);

describe("paging", () => {
  it("uses the default size for 0, caps at the maximum and refuses negative sizes", () => {
    const options = { defaultSize: 20, maxSize: 100 };
    expect(pageSize(0, options)).toBe(20);
    expect(pageSize(500, options)).toBe(100);
    expect(() => pageSize(-1, options)).toThrow(DomainError);
  });

  it("issues a token only when there is a next page, and reads it back", () => {
    const filters = filterHash(["sku=A"]);
    const items = [
      { key: "1", id: "a" },
      { key: "2", id: "b" },
      { key: "3", id: "c" },
    ];
    expect(nextPageToken(items.slice(0, 2), 2, (item) => item, filters)).toBe("");
    const token = nextPageToken(items, 2, (item) => item, filters);
    expect(decodePageToken(token, filters, parse)).toEqual({ key: "2", id: "b" });
    expect(decodePageToken("", filters, parse)).toBeUndefined();
  });

  it("refuses a token issued for other filters, or one that is not a token, naming the field", () => {
    const token = nextPageToken(
      [
        { key: "1", id: "a" },
        { key: "2", id: "b" },
      ],
      1,
      (item) => item,
      filterHash(["sku=A"]),
    );
    expect(() => decodePageToken(token, filterHash(["sku=B"]), parse)).toThrow(/other filters/);
    try {
      decodePageToken("%%%not-a-token", filterHash([]), parse, "pageToken");
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).violations[0]?.field).toBe("pageToken");
    }
  });

  it("hashes a list of values (nested too) as its JSON and a canonical key string as it is", () => {
    expect(filterHash(["sku=A", ""])).toBe(sha('["sku=A",""]'));
    expect(filterHash(["search", ["paid", "placed"], ""])).toBe(sha('["search",["paid","placed"],""]'));
    expect(filterHash('["shoe",""]')).toBe(sha('["shoe",""]'));
    expect(filterHash('["shoe",""]')).not.toBe(filterHash(['["shoe",""]']));
  });

  it("encodes a cursor without a sort key exactly like a PageCursor holding only afterId", () => {
    const filters = filterHash(["mine"]);
    const idOnly = create(PageCursorSchema, { afterId: "b", filterHash: filters });
    const token = encodePageToken({ key: "", id: "b" }, filters);
    expect(token).toBe(Buffer.from(toBinary(PageCursorSchema, idOnly)).toString("base64url"));
    expect(fromBinary(PageCursorSchema, Buffer.from(token, "base64url")).afterKey).toBe("");
    expect(decodePageToken(token, filters, ({ key, id }) => (key === "" ? id : undefined))).toBe("b");
  });
});
