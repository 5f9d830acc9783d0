import { CategoryChangeKind } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import type { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  type Category,
  type CategoryInput,
  createCategory,
  deleteCategory,
  MAX_CATEGORY_DEPTH,
  pathIds,
  treeOrder,
  updateCategory,
} from "./category.ts";

const NOW = new Date("2026-01-01T00:00:00Z");
const input = (overrides: Partial<CategoryInput> = {}): CategoryInput => ({
  parentId: "",
  name: "Shoes",
  slug: "",
  description: "",
  position: 0,
  ...overrides,
});

function node(id: string, parent?: Category, overrides: Partial<CategoryInput> = {}): Category {
  return createCategory(input({ name: id, ...overrides }), parent, { id, now: NOW, field: "category" })
    .category;
}

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected a DomainError");
}

describe("createCategory", () => {
  it("puts a category under its parent with the parent's path", () => {
    const root = node("a");
    const child = node("b", root);
    expect(child).toMatchObject({ parentId: "a", depth: 1, path: "a/b/", slug: "b" });
    expect(pathIds(child.path)).toEqual(["a", "b"]);
  });

  it("refuses a ninth level", () => {
    let parent: Category | undefined;
    for (let level = 0; level <= MAX_CATEGORY_DEPTH; level++) parent = node(`c${level}`, parent);
    expect(errorOf(() => node("too-deep", parent)).violations.map((v) => v.field)).toEqual([
      "category.parentId",
    ]);
  });
});

describe("updateCategory", () => {
  const root = node("root");
  const shoes = node("shoes", root);
  const boots = node("boots", shoes);
  const other = node("other");

  it("refuses to move a category under itself or its descendants", () => {
    for (const parent of [shoes, boots]) {
      const error = errorOf(() =>
        updateCategory(shoes, input(), ["parent_id"], {
          now: NOW,
          field: "category",
          parent,
          subtreeHeight: 1,
        }),
      );
      expect(error.violations).toEqual([
        {
          field: "category.parentId",
          description: "cannot be the category itself or one of its descendants",
        },
      ]);
    }
  });

  it("moves with a new path and depth and records MOVED with the previous parent", () => {
    const change = updateCategory(shoes, input(), ["parent_id"], {
      now: NOW,
      field: "category",
      parent: other,
      subtreeHeight: 1,
    });
    expect(change.moved).toBe(true);
    expect(change.category).toMatchObject({ parentId: "other", path: "other/shoes/", depth: 1 });
    expect(change.events[0]?.data).toMatchObject({
      kind: CategoryChangeKind.MOVED,
      previousParentId: "root",
    });
  });

  it("refuses a move that would make the subtree too deep", () => {
    let deep: Category | undefined;
    for (let level = 0; level < MAX_CATEGORY_DEPTH; level++) deep = node(`d${level}`, deep);
    const error = errorOf(() =>
      updateCategory(shoes, input(), ["parent_id"], {
        now: NOW,
        field: "category",
        parent: deep,
        subtreeHeight: 1,
      }),
    );
    expect(error.violations.map((v) => v.field)).toEqual(["category.parentId"]);
  });

  it("renames in place, and an unchanged category records nothing", () => {
    const renamed = updateCategory(shoes, input({ name: " Footwear " }), ["name"], {
      now: NOW,
      field: "category",
      parent: undefined,
      subtreeHeight: 0,
    });
    expect(renamed.category.name).toBe("Footwear");
    expect(renamed.events[0]?.data).toMatchObject({ kind: CategoryChangeKind.UPDATED });
    const same = updateCategory(shoes, input({ name: "shoes" }), ["name"], {
      now: NOW,
      field: "category",
      parent: undefined,
      subtreeHeight: 0,
    });
    expect(same.events).toEqual([]);
  });
});

describe("deleteCategory", () => {
  it("deletes only an empty category", () => {
    const category = node("x");
    expect(errorOf(() => deleteCategory(category, { children: 1, products: 0 })).kind).toBe(
      "failed_precondition",
    );
    expect(errorOf(() => deleteCategory(category, { children: 0, products: 2 })).kind).toBe(
      "failed_precondition",
    );
    expect(deleteCategory(category, { children: 0, products: 0 }).events[0]?.data).toMatchObject({
      kind: CategoryChangeKind.DELETED,
    });
  });
});

describe("treeOrder", () => {
  it("lists depth first, each category after its parent, siblings by position then name", () => {
    const a = node("a", undefined, { position: 2 });
    const b = node("b", undefined, { position: 1 });
    const b2 = node("b2", b, { name: "Zebra" });
    const b1 = node("b1", b, { name: "Alpha" });
    const b1x = node("b1x", b1);
    const orphan = { ...node("orphan"), parentId: "gone" };
    expect(treeOrder([a, b1x, b2, orphan, b1, b], (c) => c).map((c) => c.id)).toEqual([
      "orphan",
      "b",
      "b1",
      "b1x",
      "b2",
      "a",
    ]);
  });
});
