import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { databaseName, dropDatabase, maintenanceUrl, withPg } from "./pg.ts";

describe("database helpers", () => {
  it("drops a database, even with connections open", async () => {
    const name = `shopmesh_test_${randomBytes(6).toString("hex")}`;
    const url = `postgres://postgres@127.0.0.1:5432/${name}`;
    await withPg(maintenanceUrl(url), (client) => client.query(`create database ${name}`));
    try {
      expect(
        await withPg(url, async (client) => (await client.query<{ one: number }>("select 1 as one")).rows),
      ).toEqual([{ one: 1 }]);
      await withPg(url, () => dropDatabase(url));
    } finally {
      await dropDatabase(url);
    }
    await expect(withPg(url, (client) => client.query("select 1"))).rejects.toThrow(/does not exist/);
  });

  it("reads the database name and the maintenance URL from a DATABASE_URL", () => {
    expect(databaseName("postgres://u:p@db:5433/shop%20mesh?sslmode=disable")).toBe("shop mesh");
    expect(maintenanceUrl("postgres://u:p@db:5433/shopmesh?sslmode=disable")).toBe(
      "postgres://u:p@db:5433/postgres?sslmode=disable",
    );
    expect(() => databaseName("postgres://db:5432")).toThrow(/names no database/);
  });
});
