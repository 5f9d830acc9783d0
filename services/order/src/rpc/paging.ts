import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PageCursorSchema } from "@shopmesh/contracts/shopmesh/common/v1/paging_pb";
import { invalidField } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/**
 * Cursor paging of order lists (shopmesh/common/v1/paging.proto): newest first by id (UUIDv7, so
 * placing order); a token holds the last id and a hash of the filters it was issued for.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The page size to use: 20 for 0, at most 100; INVALID_ARGUMENT when negative. */
export function pageSize(value: number, field = "pageSize"): number {
  if (value < 0) throw invalidField(field, "must not be negative");
  return value === 0 ? DEFAULT_PAGE_SIZE : Math.min(value, MAX_PAGE_SIZE);
}

/** A short hash of the filters of a list. */
export function filterHash(filters: unknown): string {
  return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 16);
}

/** The id after which the page starts; undefined for the first page. */
export function decodePageToken(token: string, filters: string, field = "pageToken"): string | undefined {
  if (token === "") return undefined;
  let cursor: ReturnType<typeof fromBinary<typeof PageCursorSchema>>;
  try {
    cursor = fromBinary(PageCursorSchema, Buffer.from(token, "base64url"));
  } catch {
    throw invalidField(field, "is not a page token of this list");
  }
  if (cursor.filterHash !== filters) {
    throw invalidField(field, "was issued for other filters; start again without a page token");
  }
  if (!isUuid(cursor.afterId)) throw invalidField(field, "is not a page token of this list");
  return cursor.afterId;
}

/** The token of the next page when `items` holds more than `limit` (one extra was fetched); "" otherwise. */
export function nextPageToken(items: readonly { id: string }[], limit: number, filters: string): string {
  const last = items[limit - 1];
  if (items.length <= limit || !last) return "";
  const cursor = create(PageCursorSchema, { afterId: last.id, filterHash: filters });
  return Buffer.from(toBinary(PageCursorSchema, cursor)).toString("base64url");
}
