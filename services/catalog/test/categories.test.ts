import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { CategoryChangedSchema, CategoryChangeKind } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, productInit, startCatalog, type TestCatalog } from "./support.ts";

let t: TestCatalog;

beforeAll(async () => {
  t = await startCatalog();
});

afterAll(async () => {
  await t?.stop();
});

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

async function category(name: string, parentId = "", position = 0) {
  const { category } = await t.client.createCategory({ category: { name, parentId, position } }, t.admin);
  return category!;
}

async function tree() {
  const { categories } = await t.client.listCategories({});
  return categories.map((c) => `${"  ".repeat(c.depth)}${c.name} (${c.productCount})`);
}

async function searchNames(query: string) {
  return (await t.client.searchProducts({ query })).products.map((p) => p.name);
}

describe("the category tree", () => {
  it("lists the tree depth first with depths and ACTIVE product counts of whole subtrees", async () => {
    const garden = await category("Garden", "", 2);
    const kitchen = await category("Kitchen", "", 1);
    const pans = await category("Pans", kitchen.id);
    const knives = await category("Knives", kitchen.id);
    expect(pans).toMatchObject({ depth: 1, parentId: kitchen.id, slug: "pans" });
    await t.client.createProduct({ product: productInit("PAN1", { categoryIds: [pans.id] }) }, t.admin);
    await t.client.createProduct(
      { product: productInit("PAN2", { categoryIds: [pans.id, knives.id] }) },
      t.admin,
    );
    await t.client.createProduct(
      { product: productInit("PAN3", { categoryIds: [pans.id], state: ProductState.DRAFT }) },
      t.admin,
    );
    expect(await tree()).toEqual(["Kitchen (2)", "  Knives (1)", "  Pans (2)", "Garden (0)"]);
    const [created] = await t.events(CategoryChangedSchema, garden.id);
    expect(created?.kind).toBe(CategoryChangeKind.CREATED);
  });

  it("moves a category with its subtree, refusing cycles, and products follow in search", async () => {
    const outdoor = await category("Outdoor");
    const camping = await category("Camping", outdoor.id);
    const tents = await category("Tents", camping.id);
    await t.client.createProduct(
      { product: productInit("TENT1", { name: "Dome Tent", categoryIds: [tents.id] }) },
      t.admin,
    );
    expect(await searchNames("outdoor")).toEqual(["Dome Tent"]);

    for (const parentId of [outdoor.id, tents.id, camping.id]) {
      const cycle = await failure(
        t.client.updateCategory(
          { category: { id: outdoor.id, parentId }, updateMask: mask("parent_id") },
          t.admin,
        ),
      );
      expect(cycle.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(cycle)).toEqual([
        {
          field: "category.parentId",
          description: "cannot be the category itself or one of its descendants",
        },
      ]);
    }

    const leisure = await category("Leisure");
    const { category: moved } = await t.client.updateCategory(
      { category: { id: camping.id, parentId: leisure.id, name: "ignored" }, updateMask: mask("parent_id") },
      t.admin,
    );
    expect(moved).toMatchObject({ parentId: leisure.id, depth: 1, name: "Camping" });
    const listed = (await t.client.listCategories({})).categories;
    expect(listed.find((c) => c.id === tents.id)).toMatchObject({ depth: 2, productCount: 1 });
    expect(listed.find((c) => c.id === outdoor.id)?.productCount).toBe(0);
    expect(await searchNames("outdoor")).toEqual([]);
    expect(await searchNames("leisure")).toEqual(["Dome Tent"]);
    expect((await t.client.searchProducts({ categoryId: leisure.id })).products.map((p) => p.name)).toEqual([
      "Dome Tent",
    ]);
    const [event] = await t.events(CategoryChangedSchema, camping.id).then((events) => events.slice(-1));
    expect(event).toMatchObject({ kind: CategoryChangeKind.MOVED, previousParentId: outdoor.id });

    // back to the top level
    const { category: top } = await t.client.updateCategory(
      { category: { id: camping.id, parentId: "" }, updateMask: mask("parent_id") },
      t.admin,
    );
    expect(top).toMatchObject({ parentId: "", depth: 0 });
  });

  it("renames a category and its products are found by the new name", async () => {
    const lamps = await category("Lamps");
    await t.client.createProduct(
      { product: productInit("DL1", { name: "Desk Light", categoryIds: [lamps.id] }) },
      t.admin,
    );
    expect(await searchNames("lamps")).toEqual(["Desk Light"]);
    await t.client.updateCategory(
      { category: { id: lamps.id, name: "Luminaires" }, updateMask: mask("name") },
      t.admin,
    );
    expect(await searchNames("luminaires")).toEqual(["Desk Light"]);
    expect(await searchNames("lamps")).toEqual([]);
  });

  it("deletes only empty categories", async () => {
    const parent = await category("Toys");
    const child = await category("Puzzles", parent.id);
    const { product } = await t.client.createProduct(
      { product: productInit("PUZ1", { categoryIds: [child.id], state: ProductState.DRAFT }) },
      t.admin,
    );
    expect((await failure(t.client.deleteCategory({ id: parent.id }, t.admin))).code).toBe(
      Code.FailedPrecondition,
    );
    expect((await failure(t.client.deleteCategory({ id: child.id }, t.admin))).code).toBe(
      Code.FailedPrecondition,
    );
    await t.client.updateProduct(
      { product: { id: product!.id, version: 1n, categoryIds: [] }, updateMask: mask("category_ids") },
      t.admin,
    );
    await t.client.deleteCategory({ id: child.id }, t.admin);
    await t.client.deleteCategory({ id: parent.id }, t.admin);
    expect((await t.client.listCategories({})).categories.map((c) => c.name)).not.toContain("Toys");
    const kinds = (await t.events(CategoryChangedSchema, child.id)).map((e) => e.kind);
    expect(kinds).toEqual([CategoryChangeKind.CREATED, CategoryChangeKind.DELETED]);
    expect((await failure(t.client.deleteCategory({ id: child.id }, t.admin))).code).toBe(Code.NotFound);
  });

  it("rejects bad input naming the fields, taken slugs and trees deeper than eight levels", async () => {
    const bad = await failure(
      t.client.createCategory({ category: { name: "", slug: "Bad Slug", position: -1 } }, t.admin),
    );
    expect(fieldViolations(bad).map((v) => v.field)).toEqual([
      "category.name",
      "category.slug",
      "category.position",
    ]);
    const unknownParent = await failure(
      t.client.createCategory(
        { category: { name: "Orphan", parentId: "0190f3a4-7b2c-7d3e-8f40-123456789abc" } },
        t.admin,
      ),
    );
    expect(fieldViolations(unknownParent).map((v) => v.field)).toEqual(["category.parentId"]);
    await category("Unique Name");
    const second = await category("Unique Name");
    expect(second.slug).toMatch(/^unique-name-[a-z0-9]{8}$/);
    const taken = await failure(
      t.client.createCategory({ category: { name: "Other", slug: "unique-name" } }, t.admin),
    );
    expect(taken.code).toBe(Code.AlreadyExists);

    let parentId = "";
    for (let level = 0; level < 8; level++) parentId = (await category(`Level ${level}`, parentId)).id;
    const tooDeep = await failure(
      t.client.createCategory({ category: { name: "Level 8", parentId } }, t.admin),
    );
    expect(fieldViolations(tooDeep).map((v) => v.field)).toEqual(["category.parentId"]);
    expect((await failure(t.client.createCategory({ category: { name: "x" } }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
  });
});
