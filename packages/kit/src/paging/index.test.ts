import { describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.ts";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "./index.ts";

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
});
