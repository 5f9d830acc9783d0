import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  CategoryChangedSchema,
  PriceChangedSchema,
  ProductArchivedSchema,
  ProductCreatedSchema,
  ProductUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;

beforeAll(async () => {
  t = await startCatalog();
});

afterAll(async () => {
  await t?.stop();
});

describe("events", () => {
  it("publishes every change through the outbox on the catalog stream, as CloudEvents", async () => {
    const { category } = await t.client.createCategory({ category: { name: "Events" } }, t.admin);
    const { product } = await t.client.createProduct(
      { product: productInit("EVT1", { categoryIds: [category!.id] }) },
      t.admin,
    );
    await t.client.updateVariant(
      {
        variant: { id: product!.variants[0]!.id, price: { amountMinor: 999n } },
        updateMask: create(FieldMaskSchema, { paths: ["price"] }),
      },
      t.admin,
    );
    await t.client.archiveProduct({ id: product!.id }, t.admin);

    const expected = [
      [CategoryChangedSchema.typeName, category!.id, "category_changed"],
      [ProductCreatedSchema.typeName, product!.id, "product_created"],
      [ProductUpdatedSchema.typeName, product!.id, "product_updated"],
      [PriceChangedSchema.typeName, product!.id, "price_changed"],
      [ProductUpdatedSchema.typeName, product!.id, "product_updated"],
      [ProductArchivedSchema.typeName, product!.id, "product_archived"],
    ];
    const stream = `${t.prefix.toUpperCase()}_CATALOG`;
    const published = await waitFor(
      async () => {
        const messages = await readStream(stream);
        return messages.length >= expected.length && messages;
      },
      { timeoutMs: 10_000, message: "six catalog events on the stream" },
    );
    expect(published.map((m) => [m.header.get("ce-type"), m.header.get("ce-subject"), m.subject])).toEqual(
      expected.map(([type, subject, event]) => [type, subject, `${t.prefix}.catalog.${event}`]),
    );
    expect(published.every((m) => m.header.get("ce-source") === "shopmesh/catalog")).toBe(true);
    expect(published[0]?.header.get("shopmesh-actor")).toBe("user:0190f3a4-0000-7000-8000-00000000ad01");
  });
});
