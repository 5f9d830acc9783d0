import { createDb } from "@shopmesh/kit/db";
import { outboxEntities } from "@shopmesh/kit/events";
import { createTestDatabase, type TestDatabase } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CATALOG_ENTITIES } from "../src/store/entities.ts";
import { MIGRATIONS } from "../src/store/migrations.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const open = (migrations: typeof MIGRATIONS) =>
  createDb({
    url: database.url,
    schema: "catalog",
    entities: [...CATALOG_ENTITIES, ...outboxEntities],
    migrations,
  });

it("gives the vocabulary of typo correction the words of the products there already are", async () => {
  // the catalog as it was before the vocabulary
  const first = MIGRATIONS.findIndex((migration) => migration.name === "catalog.0004_search_words");
  expect(first).toBeGreaterThan(0);
  const before = await open(MIGRATIONS.slice(0, first));
  try {
    await (await before.pool()).query(
      `insert into products (id, slug, name, state, version, create_time, update_time, facet_keys)
       values ('0190f3a4-7b2c-7d3e-8f40-123456789abc', 'trail-shoe', 'Trail-Running Shoe', 'active', 1, now(), now(),
               array['brand' || chr(31) || 'Acme Outdoor', 'colour' || chr(31) || 'Red'])`,
    );
  } finally {
    await before.close();
  }

  const after = await open(MIGRATIONS);
  try {
    const { rows } = await (await after.pool()).query<{ word: string }>(
      "select word from search_words order by word",
    );
    // letters and digits of 3 to 40, lower-cased; "Red" and "Acme" from the attributes
    expect(rows.map((row) => row.word)).toEqual([
      "acme",
      "brand",
      "colour",
      "outdoor",
      "red",
      "running",
      "shoe",
      "trail",
    ]);
  } finally {
    await after.close();
  }
});
