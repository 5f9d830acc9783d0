import { CategoryChangedSchema, CategoryChangeKind } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { type FieldViolation, failedPrecondition, invalid, throwIfInvalid } from "@shopmesh/kit/errors";
import { maskIncludes } from "./field-mask.ts";
import { categoryMessage } from "./messages.ts";
import { checkSlug, slugify } from "./slug.ts";
import { checkLine, checkText, normalizeLine } from "./text.ts";

/**
 * A node of the category tree. `path` is the materialised path: the ids from the root down to
 * this category, each followed by "/" ("<root>/<child>/<this>/"), so a subtree is every category
 * whose path starts with this one's, and a move rewrites the paths of one subtree.
 */
export interface Category {
  id: string;
  parentId: string | null;
  name: string;
  slug: string;
  description: string;
  position: number;
  /** 0 for a top-level category. */
  depth: number;
  path: string;
  createTime: Date;
  updateTime: Date;
}

export interface CategoryInput {
  /** "" for top level. */
  parentId: string;
  name: string;
  slug: string;
  description: string;
  position: number;
}

/** The deepest level: eight levels of categories are plenty for any shop. */
export const MAX_CATEGORY_DEPTH = 7;
export const CATEGORY_LIMITS = { name: 100, description: 2_000, position: 1_000_000 } as const;

/** The paths UpdateCategory may write, in proto form. */
export const CATEGORY_WRITABLE = ["parent_id", "name", "slug", "description", "position"] as const;

export interface CategoryChange {
  category: Category;
  events: DomainEvent[];
}

/** The path of a category with this id under `parent` (top level without one). */
export function categoryPath(id: string, parent: Category | undefined): string {
  return `${parent?.path ?? ""}${id}/`;
}

/** True when `other` is `category` itself or lies under it. */
export function isInSubtree(category: Category, other: Category): boolean {
  return other.path.startsWith(category.path);
}

/** The ids on a category's path, the root first and the category itself last. */
export function pathIds(path: string): string[] {
  return path.split("/").filter((id) => id !== "");
}

function checkCategoryFields(
  input: CategoryInput,
  selected: readonly string[],
  prefix: string,
): { value: CategoryInput; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const value: CategoryInput = { ...input };
  if (selected.includes("name")) {
    value.name = normalizeLine(input.name);
    violations.push(...checkLine(value.name, `${prefix}.name`, { max: CATEGORY_LIMITS.name }));
  }
  if (selected.includes("slug")) {
    value.slug = input.slug.trim();
    violations.push(...checkSlug(value.slug, `${prefix}.slug`));
  }
  if (selected.includes("description")) {
    value.description = input.description.trim();
    violations.push(...checkText(value.description, `${prefix}.description`, CATEGORY_LIMITS.description));
  }
  if (
    selected.includes("position") &&
    (!Number.isInteger(input.position) || input.position < 0 || input.position > CATEGORY_LIMITS.position)
  ) {
    violations.push({ field: `${prefix}.position`, description: `must be 0 to ${CATEGORY_LIMITS.position}` });
  }
  return { value, violations };
}

function depthViolation(depth: number, field: string): FieldViolation[] {
  return depth > MAX_CATEGORY_DEPTH
    ? [{ field, description: `would put categories deeper than ${MAX_CATEGORY_DEPTH + 1} levels` }]
    : [];
}

/**
 * A new category under `parent` (the category of input.parentId, looked up by the caller; top
 * level without one). An empty slug is made from the name (`slugDerived`).
 */
export function createCategory(
  input: CategoryInput,
  parent: Category | undefined,
  options: { id: string; now: Date; field: string },
): CategoryChange & { slugDerived: boolean } {
  const { field, now } = options;
  const slugDerived = input.slug.trim() === "";
  const selected = CATEGORY_WRITABLE.filter((path) => !(path === "slug" && slugDerived));
  const { value, violations } = checkCategoryFields(input, selected, field);
  const depth = parent ? parent.depth + 1 : 0;
  violations.push(...depthViolation(depth, `${field}.parentId`));
  throwIfInvalid(violations);
  const category: Category = {
    id: options.id,
    parentId: parent?.id ?? null,
    name: value.name,
    slug: slugDerived ? slugify(value.name, "category") : value.slug,
    description: value.description,
    position: value.position,
    depth,
    path: categoryPath(options.id, parent),
    createTime: now,
    updateTime: now,
  };
  return {
    category,
    events: [
      domainEvent(CategoryChangedSchema, category.id, {
        category: categoryMessage(category),
        kind: CategoryChangeKind.CREATED,
      }),
    ],
    slugDerived,
  };
}

export interface UpdateCategoryOptions {
  now: Date;
  field: string;
  /** The category of input.parentId when the mask selects parent_id (undefined: top level). */
  parent: Category | undefined;
  /** How many levels lie below the category (0 for a leaf). */
  subtreeHeight: number;
}

/**
 * Writes the selected fields (resolved mask leaves) to the category. A new parent moves the whole
 * subtree; a parent inside the subtree would make a cycle and is refused.
 */
export function updateCategory(
  category: Category,
  input: CategoryInput,
  selected: readonly string[],
  options: UpdateCategoryOptions,
): CategoryChange & { moved: boolean } {
  const { field } = options;
  const { value, violations } = checkCategoryFields(input, selected, field);
  const next: Category = { ...category };
  if (maskIncludes(selected, "name")) next.name = value.name;
  if (maskIncludes(selected, "slug")) next.slug = value.slug;
  if (maskIncludes(selected, "description")) next.description = value.description;
  if (maskIncludes(selected, "position")) next.position = value.position;
  let moved = false;
  if (maskIncludes(selected, "parent_id") && (options.parent?.id ?? null) !== category.parentId) {
    const parent = options.parent;
    if (parent && isInSubtree(category, parent)) {
      throw invalid([
        {
          field: `${field}.parentId`,
          description: "cannot be the category itself or one of its descendants",
        },
      ]);
    }
    next.parentId = parent?.id ?? null;
    next.depth = parent ? parent.depth + 1 : 0;
    next.path = categoryPath(category.id, parent);
    violations.push(...depthViolation(next.depth + options.subtreeHeight, `${field}.parentId`));
    moved = true;
  }
  throwIfInvalid(violations);
  const unchanged =
    !moved &&
    next.name === category.name &&
    next.slug === category.slug &&
    next.description === category.description &&
    next.position === category.position;
  if (unchanged) return { category, events: [], moved };
  next.updateTime = options.now;
  return {
    category: next,
    moved,
    events: [
      domainEvent(CategoryChangedSchema, next.id, {
        category: categoryMessage(next),
        kind: moved ? CategoryChangeKind.MOVED : CategoryChangeKind.UPDATED,
        previousParentId: moved ? (category.parentId ?? "") : "",
      }),
    ],
  };
}

/** Deletes a category that holds nothing: no subcategories, no products of any state. */
export function deleteCategory(
  category: Category,
  contents: { children: number; products: number },
): CategoryChange {
  if (contents.children > 0 || contents.products > 0) {
    throw failedPrecondition(
      `category ${category.id} still holds ${contents.children} subcategories and ${contents.products} products; move or remove them first`,
    );
  }
  return {
    category,
    events: [
      domainEvent(CategoryChangedSchema, category.id, {
        category: categoryMessage(category),
        kind: CategoryChangeKind.DELETED,
      }),
    ],
  };
}

/**
 * Categories in tree order: depth first, every category right after its parent and its earlier
 * siblings' subtrees, siblings by position, then name, then id. Categories whose parent is not
 * in the list come out as roots.
 */
export function treeOrder<T>(items: readonly T[], categoryOf: (item: T) => Category): T[] {
  const ids = new Set(items.map((item) => categoryOf(item).id));
  const children = new Map<string | null, T[]>();
  for (const item of items) {
    const { parentId } = categoryOf(item);
    const key = parentId !== null && ids.has(parentId) ? parentId : null;
    const siblings = children.get(key) ?? [];
    siblings.push(item);
    children.set(key, siblings);
  }
  const bySiblingOrder = (a: T, b: T) => {
    const x = categoryOf(a);
    const y = categoryOf(b);
    return (
      x.position - y.position || x.name.localeCompare(y.name) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
    );
  };
  const out: T[] = [];
  const visit = (parent: string | null) => {
    for (const item of (children.get(parent) ?? []).sort(bySiblingOrder)) {
      out.push(item);
      visit(categoryOf(item).id);
    }
  };
  visit(null);
  return out;
}
