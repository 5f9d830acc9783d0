import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PageCursorSchema } from "@shopmesh/contracts/shopmesh/common/v1/paging_pb";
import { invalidField } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";

/** List paging as shopmesh/common/v1/paging.proto describes it (AIP-158). */

export interface PageOptions {
  defaultSize: number;
  maxSize: number;
}

/** The page size to use: the default for 0, clamped to the maximum; INVALID_ARGUMENT when negative. */
export function pageSize(value: number, options: PageOptions, field = "pageSize"): number {
  if (value < 0) throw invalidField(field, "must not be negative");
  if (value === 0) return options.defaultSize;
  return Math.min(value, options.maxSize);
}

/** Where a page ends: the sort key of its last item (as text) and its id. */
export interface KeyCursor {
  key: string;
  id: string;
}

/** A short hash of the filters a token is issued for; a token only works with the same filters. */
export function filterHash(filters: string): string {
  return createHash("sha256").update(filters).digest("base64url").slice(0, 16);
}

/** The page token after `last`: a PageCursor in base64url. */
export function encodePageToken(last: KeyCursor, filters: string): string {
  const cursor = create(PageCursorSchema, { afterKey: last.key, afterId: last.id, filterHash: filters });
  return Buffer.from(toBinary(PageCursorSchema, cursor)).toString("base64url");
}

/**
 * The cursor of a page token, undefined for "" (the first page). A token that is malformed or
 * was issued for other filters is INVALID_ARGUMENT on `field`.
 */
export function decodePageToken(token: string, filters: string, field = "pageToken"): KeyCursor | undefined {
  if (token === "") return undefined;
  let cursor: ReturnType<typeof fromBinary<typeof PageCursorSchema>>;
  try {
    cursor = fromBinary(PageCursorSchema, Buffer.from(token, "base64url"));
  } catch {
    throw invalidField(field, "is not a page token of this search");
  }
  if (!isUuid(cursor.afterId) || cursor.afterKey.length > 1_000) {
    throw invalidField(field, "is not a page token of this search");
  }
  if (cursor.filterHash !== filters) {
    throw invalidField(field, "was issued for another search; start again without a page token");
  }
  return { key: cursor.afterKey, id: cursor.afterId };
}
