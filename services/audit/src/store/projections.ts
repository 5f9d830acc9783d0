import type { CounterChange, ProductNameChange, ProjectionChange } from "../domain/projection.ts";
import type { ProjectionTableName } from "./migrations.ts";
import { qualified, type Sql } from "./sql.ts";

/**
 * Writes projection changes to the projection tables of one schema: the live ones (in the
 * consumer's transaction, beside the audit entry) or the rebuild's shadow copies.
 */
export type ApplyProjections = (sql: Sql, changes: readonly ProjectionChange[]) => Promise<void>;

/** Applies changes to the tables in `schema`. */
export function createProjectionWriter(schema: string): ApplyProjections {
  const table = (name: ProjectionTableName) => qualified(schema, name);
  return async (sql, changes) => {
    for (const change of changes) {
      if (change.kind === "add") await add(sql, table(change.table), change);
      else await productName(sql, table("product_names"), change);
    }
  };
}

/** `insert ... on conflict do update set counter = counter + excluded.counter` for one row. */
async function add(sql: Sql, table: string, change: CounterChange): Promise<void> {
  const keys = Object.entries(change.key);
  const counters = Object.entries(change.add).filter(([, value]) => value !== undefined) as [
    string,
    bigint,
  ][];
  if (counters.length === 0) return;
  const columns = [...keys.map(([name]) => name), ...counters.map(([name]) => name)];
  const values = [
    ...keys.map(([name]) => (name === "day" ? "?::date" : "?")),
    ...counters.map(() => "?::bigint"),
  ];
  await sql(
    `insert into ${table} (${columns.join(", ")}) values (${values.join(", ")})
     on conflict (${keys.map(([name]) => name).join(", ")}) do update set
     ${counters.map(([name]) => `${name} = ${table}.${name} + excluded.${name}`).join(", ")}`,
    [...keys.map(([, value]) => value), ...counters.map(([, value]) => String(value))],
  );
}

async function productName(sql: Sql, table: string, change: ProductNameChange): Promise<void> {
  await sql(
    `insert into ${table} (sku, product_id, product_name, seen_time) values (?, ?, ?, ?::timestamptz)
     on conflict (sku) do update set
       product_id = excluded.product_id, product_name = excluded.product_name, seen_time = excluded.seen_time
     where (excluded.seen_time, excluded.product_name, excluded.product_id)
         > (${table}.seen_time, ${table}.product_name, ${table}.product_id)`,
    [change.sku, change.productId, change.productName, change.seenTime.toISOString()],
  );
}
