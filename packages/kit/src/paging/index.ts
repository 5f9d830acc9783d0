import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { PageCursorSchema } from "@shopmesh/contracts/shopmesh/common/v1/paging_pb";
import { invalidField } from "../errors/domain-error.ts";

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

/** Where a page ends: the sort key of the last item (as text; "" for lists ordered by id alone) and its id. */
export interface PageCursor {
  key: string;
  id: string;
}

/**
 * A short hash of the filters a token is issued for; a token only works with the same filters.
 * A list of values (which may nest) is hashed as its JSON; a string is taken to be the list's own
 * canonical key already and is hashed as it is, so its tokens stay what they were.
 */
export function filterHash(filters: string | readonly unknown[]): string {
  const text = typeof filters === "string" ? filters : JSON.stringify(filters);
  return createHash("sha256").update(text).digest("base64url").slice(0, 16);
}

/** The page token after `last`: a PageCursor in base64url. */
export function encodePageToken(last: PageCursor, filters: string): string {
  const cursor = create(PageCursorSchema, { afterKey: last.key, afterId: last.id, filterHash: filters });
  return Buffer.from(toBinary(PageCursorSchema, cursor)).toString("base64url");
}

/**
 * The cursor of a page token, undefined for "" (the first page). `parse` turns it into the
 * list's own cursor and returns undefined when it does not fit. A token that is malformed or was
 * issued for other filters is INVALID_ARGUMENT on `field`.
 */
export function decodePageToken<C>(
  token: string,
  filters: string,
  parse: (cursor: PageCursor) => C | undefined,
  field = "pageToken",
): C | undefined {
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
  const parsed = parse({ key: cursor.afterKey, id: cursor.afterId });
  if (parsed === undefined) throw invalidField(field, "is not a page token of this list");
  return parsed;
}

/** The next page token when the query fetched more than `limit` items; "" on the last page. */
export function nextPageToken<T>(
  items: readonly T[],
  limit: number,
  cursorOf: (last: T) => PageCursor,
  filters: string,
): string {
  const last = items[limit - 1];
  return items.length > limit && last !== undefined ? encodePageToken(cursorOf(last), filters) : "";
}
