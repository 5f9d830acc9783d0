import { pgArray, type Sql } from "./sql.ts";

/**
 * catalog's projection of inventory's availability: `sku_availability` holds the absolute units
 * available per SKU (over all of inventory's active warehouses) as last read from inventory, and
 * `products.in_stock` says whether some variant of a product has any.
 *
 * Writers never apply deltas: they lock the SKUs' rows, read the current availability from
 * inventory and store it, all in one transaction. Two writers of one SKU therefore run one after
 * the other, and the later one read later, so the projection ends at inventory's latest answer
 * whatever order events arrive in and however often they are delivered.
 *
 * Inventory's events do not write the projection themselves: they only append marks to
 * `availability_dirty` (markDirty), and the flusher (availability-flusher.ts) refreshes the
 * marked SKUs in batches, so a hot SKU costs one read of inventory per flush, not per event.
 */

/**
 * Locks the projection rows of `skus` until the transaction ends, creating the missing ones (with
 * 0 available), and resolves with what each holds now. Always in SKU order, so concurrent writers
 * of overlapping SKUs cannot deadlock.
 */
export async function lockSkus(sql: Sql, skus: readonly string[]): Promise<Map<string, bigint>> {
  const sorted = sortedUnique(skus);
  if (sorted.length === 0) return new Map();
  // An upsert that changes nothing still locks the existing row (ON CONFLICT DO UPDATE), in the
  // order rows are inserted: one statement both creates and locks, and returns the row.
  const rows = await sql<{ sku: string; available: string }>(
    `insert into sku_availability (sku)
     select s from unnest(cast(? as text[])) with ordinality as u(s, n) order by n
     on conflict (sku) do update set sku = excluded.sku
     returning sku, available::text as available`,
    [pgArray(sorted)],
  );
  return new Map(rows.map((row) => [row.sku, BigInt(row.available)]));
}

/** Stores the availability of SKUs whose rows lockSkus locked; rows that hold it already are left alone. */
export async function writeAvailability(
  sql: Sql,
  items: readonly { sku: string; available: bigint }[],
): Promise<void> {
  if (items.length === 0) return;
  await sql(
    `update sku_availability a set available = x.available, update_time = now()
     from unnest(cast(? as text[]), cast(? as bigint[])) as x(sku, available)
     where a.sku = x.sku and a.available is distinct from x.available`,
    [pgArray(items.map((item) => item.sku)), pgArray(items.map((item) => item.available.toString()))],
  );
}

/**
 * Recomputes `in_stock` of the products holding one of `skus` (their rows locked in id order
 * first, for the same reason as lockSkus); resolves with how many changed. When some did, it
 * sends `notifyChannel` a NOTIFY, which PostgreSQL delivers only once the transaction commits:
 * the listener then drops cached search pages, never before the change is visible.
 */
export async function refreshInStock(
  sql: Sql,
  skus: readonly string[],
  notifyChannel: string,
): Promise<number> {
  if (skus.length === 0) return 0;
  // Locked in a statement of its own: the next one takes a new snapshot, so it sees every
  // availability committed by a writer this one waited for (a single statement would compute
  // in_stock from the snapshot it had before waiting).
  const ids = (
    await sql<{ id: string }>(
      `select p.id from products p
       where p.id in (select product_id from variants where sku = any(cast(? as text[])))
       order by p.id for update of p`,
      [pgArray(sortedUnique(skus))],
    )
  ).map((row) => row.id);
  if (ids.length === 0) return 0;
  const changed = await sql<{ id: string }>(
    `update products p set in_stock = x.in_stock
     from (
       select p2.id, exists (
         select 1 from sku_availability a where a.sku = any(p2.skus) and a.available > 0
       ) as in_stock
       from products p2 where p2.id = any(cast(? as uuid[]))
     ) x
     where p.id = x.id and p.in_stock <> x.in_stock
     returning p.id`,
    [pgArray(ids)],
  );
  if (changed.length > 0) await sql("select pg_notify(?, '')", [notifyChannel]);
  return changed.length;
}

/**
 * Recomputes `in_stock` of every product from the projection; resolves with how many changed
 * (and NOTIFYs `notifyChannel` then). A safety net run now and then: a product that gained a SKU
 * in the very moment that SKU's availability changed may have missed the change.
 */
export async function reconcileInStock(sql: Sql, notifyChannel: string): Promise<number> {
  const changed = await sql<{ id: string }>(
    `update products p set in_stock = x.in_stock
     from (
       select p2.id, exists (
         select 1 from sku_availability a where a.sku = any(p2.skus) and a.available > 0
       ) as in_stock
       from products p2
     ) x
     where p.id = x.id and p.in_stock <> x.in_stock
     returning p.id`,
  );
  if (changed.length > 0) await sql("select pg_notify(?, '')", [notifyChannel]);
  return changed.length;
}

/** Up to `limit` SKUs of variants that have no projection row yet, after `after`, in SKU order. */
export async function unknownSkus(sql: Sql, after: string, limit: number): Promise<string[]> {
  const rows = await sql<{ sku: string }>(
    `select distinct v.sku from variants v
     where v.sku > ? and not exists (select 1 from sku_availability a where a.sku = v.sku)
     order by v.sku limit ?`,
    [after, limit],
  );
  return rows.map((row) => row.sku);
}

/** Up to `limit` SKUs of variants or of the projection, after `after`, in SKU order. */
export async function allSkus(sql: Sql, after: string, limit: number): Promise<string[]> {
  const rows = await sql<{ sku: string }>(
    `select sku from (select sku from variants union select sku from sku_availability) s
     where sku > ? order by sku limit ?`,
    [after, limit],
  );
  return rows.map((row) => row.sku);
}

/**
 * Marks `skus` as needing a refresh from inventory, in the transaction of `sql` (the inbox
 * transaction of the event that touched them). Append-only: concurrent events of one hot SKU
 * never wait for each other, and every mark gets a `seq` that grows in the order marks are made.
 */
export async function markDirty(sql: Sql, skus: readonly string[]): Promise<void> {
  const sorted = sortedUnique(skus);
  if (sorted.length === 0) return;
  await sql("insert into availability_dirty (sku) select unnest(cast(? as text[]))", [pgArray(sorted)]);
}

/** One SKU marked dirty, with the highest seq of its marks read. */
export interface DirtyMark {
  sku: string;
  seq: string;
}

/**
 * Takes the lock that lets one flusher at a time (over all replicas) work on the marks, until the
 * transaction of `sql` ends; resolves false at once when another holds it. `key` names the lock
 * (flushLockKey).
 */
export async function tryLockFlush(sql: Sql, key: string): Promise<boolean> {
  const [row] = await sql<{ locked: boolean }>(
    "select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked",
    [key],
  );
  return row?.locked === true;
}

/** The advisory lock of the flusher of the catalog in `schema`. */
export function flushLockKey(schema: string): string {
  return `${schema}.availability_dirty`;
}

/** Up to `limit` dirty SKUs, the longest waiting first, each with the highest seq of its marks. */
export async function dirtyMarks(sql: Sql, limit: number): Promise<DirtyMark[]> {
  return sql<DirtyMark>(
    `select sku, max(seq)::text as seq from availability_dirty
     group by sku order by min(seq) limit ?`,
    [limit],
  );
}

/**
 * Deletes the marks a flush covered: per SKU, those up to the seq it read. A mark made after
 * that read has a higher seq and stays for the next flush. (One with a lower seq that commits
 * only now is covered too: its seq was drawn before the read, after inventory had committed the
 * change behind it, so the flush's read of inventory, which came later, saw that change.)
 */
export async function clearDirty(sql: Sql, marks: readonly DirtyMark[]): Promise<void> {
  if (marks.length === 0) return;
  await sql(
    `delete from availability_dirty d
     using unnest(cast(? as text[]), cast(? as bigint[])) as x(sku, seq)
     where d.sku = x.sku and d.seq <= x.seq`,
    [pgArray(marks.map((mark) => mark.sku)), pgArray(marks.map((mark) => mark.seq))],
  );
}

/** The NOTIFY channel of in-stock changes of the catalog in `schema`. */
export function inStockChannel(schema: string): string {
  return `${schema}_in_stock`;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
