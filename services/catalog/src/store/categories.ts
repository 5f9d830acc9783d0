import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import { alreadyExists } from "@shopmesh/kit/errors";
import type { Category } from "../domain/category.ts";
import { likePrefix } from "./derived.ts";
import { CategoryRow } from "./entities.ts";
import { CATEGORIES_SLUG_CONSTRAINT } from "./migrations.ts";
import { pgArray, type Sql, toDate } from "./sql.ts";

export interface CategoryLockOption {
  /** FOR UPDATE (`"update"`) or FOR SHARE (`"share"`) until the transaction ends. */
  lock?: "update" | "share";
}

export interface CategoryRepository {
  /**
   * Takes the tree's transaction-scoped advisory lock: category changes happen one after the
   * other, so two moves cannot build a cycle between them.
   */
  lockTree(): Promise<void>;
  byId(id: string, options?: CategoryLockOption): Promise<Category | undefined>;
  /** Every category, in no particular order, with its count of ACTIVE products in its subtree. */
  all(): Promise<{ category: Category; productCount: number }[]>;
  /**
   * Which of `ids` exist, locked FOR SHARE: a category a product is being listed in cannot be
   * deleted before that transaction ends.
   */
  existing(ids: readonly string[]): Promise<Set<string>>;
  /** True when another category than `exceptId` has the slug. */
  slugTaken(slug: string, exceptId?: string): Promise<boolean>;
  /** How many levels lie below the category (0 for a leaf). */
  subtreeHeight(category: Category): Promise<number>;
  childCount(id: string): Promise<number>;
  /** Throws the domain's alreadyExists() for a taken slug (also under a race). */
  insert(category: Category): Promise<void>;
  /** Stores `after`; when its path changed, the paths and depths of its subtree follow. */
  update(before: Category, after: Category): Promise<void>;
  delete(category: Category): Promise<void>;
}

const CATEGORY_COLUMNS = `id, parent_id as "parentId", name, slug, description, position, depth, path,
  create_time as "createTime", update_time as "updateTime"`;

export function createCategoryRepository(em: EntityManager, sql: Sql, schema: string): CategoryRepository {
  return {
    async lockTree() {
      await sql("select pg_advisory_xact_lock(hashtextextended(?, 0))", [`${schema}.categories`]);
    },
    async byId(id, options = {}) {
      const lock = options.lock === "update" ? " for update" : options.lock === "share" ? " for share" : "";
      const [row] = await sql<Category>(`select ${CATEGORY_COLUMNS} from categories where id = ?${lock}`, [
        id,
      ]);
      return row ? toCategory(row) : undefined;
    },
    async all() {
      const rows = await sql<Category & { productCount: number }>(
        `with counts as (
           select cid as id, count(*)::int as n
           from products p cross join lateral unnest(p.category_tree_ids) as cid
           where p.state = 'active'
           group by cid
         )
         select ${CATEGORY_COLUMNS}, coalesce(counts.n, 0) as "productCount"
         from categories left join counts using (id)`,
      );
      return rows.map((row) => ({ category: toCategory(row), productCount: row.productCount }));
    },
    async existing(ids) {
      if (ids.length === 0) return new Set();
      const rows = await sql<{ id: string }>(
        "select id from categories where id = any(cast(? as uuid[])) for share",
        [pgArray(ids)],
      );
      return new Set(rows.map((row) => row.id));
    },
    async slugTaken(slug, exceptId) {
      const rows = await sql(
        `select 1 from categories where slug = ?${exceptId ? " and id <> cast(? as uuid)" : ""}`,
        exceptId ? [slug, exceptId] : [slug],
      );
      return rows.length > 0;
    },
    async subtreeHeight(category) {
      const [row] = await sql<{ height: number }>(
        "select coalesce(max(depth), 0)::int - cast(? as int) as height from categories where path like cast(? as text) || '%'",
        [category.depth, likePrefix(category.path)],
      );
      return Math.max(0, row?.height ?? 0);
    },
    async childCount(id) {
      const [row] = await sql<{ n: number }>(
        "select count(*)::int as n from categories where parent_id = cast(? as uuid)",
        [id],
      );
      return row?.n ?? 0;
    },
    async insert(category) {
      await guardSlug(() => em.insert(CategoryRow, { ...category }));
    },
    async update(before, after) {
      const { id, createTime: _, ...columns } = after;
      await guardSlug(() => em.nativeUpdate(CategoryRow, { id }, columns));
      if (after.path !== before.path) {
        await sql(
          `update categories
             set path = cast(? as text) || substr(path, length(cast(? as text)) + 1),
                 depth = depth + cast(? as int)
           where path like cast(? as text) || '%' and id <> cast(? as uuid)`,
          [after.path, before.path, after.depth - before.depth, likePrefix(before.path), id],
        );
      }
    },
    async delete(category) {
      await em.nativeDelete(CategoryRow, { id: category.id });
    },
  };
}

async function guardSlug(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (isUniqueViolation(error, CATEGORIES_SLUG_CONSTRAINT)) {
      throw alreadyExists("another category has this slug already");
    }
    throw error;
  }
}

function toCategory(row: Category): Category {
  return {
    id: row.id,
    parentId: row.parentId,
    name: row.name,
    slug: row.slug,
    description: row.description,
    position: row.position,
    depth: row.depth,
    path: row.path,
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}
