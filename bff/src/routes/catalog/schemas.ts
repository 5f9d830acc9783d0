import { z } from "@hono/zod-openapi";
import { MoneySchema } from "../cart/schemas.ts";

/** Schemas of the catalog area, shared by the web, mobile and admin surfaces. */

const time = z.string().openapi({ format: "date-time" });
const uuid = z.uuid();
const slug = z
  .string()
  .max(100)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case letters, digits and single hyphens")
  .openapi({ example: "trail-runner-2" });
const sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-'")
  .openapi({ example: "TEE-BLK-M" });

export const ProductStateSchema = z.enum(["draft", "active", "archived"]).openapi("ProductState");

export const AttributeSchema = z
  .object({ name: z.string().min(1).max(40), value: z.string().min(1).max(200) })
  .openapi("Attribute");
export const ImageSchema = z
  .object({ url: z.url().max(2000), altText: z.string().max(300).optional() })
  .openapi("Image");

export const VariantSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    title: z.string(),
    optionValues: z.record(z.string(), z.string()),
    price: MoneySchema,
    weightGrams: z.number().int(),
  })
  .openapi("Variant");

export const ProductSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    state: ProductStateSchema,
    categoryIds: z.array(z.string()),
    attributes: z.array(AttributeSchema),
    images: z.array(z.object({ url: z.string(), altText: z.string() })),
    variants: z.array(VariantSchema),
    version: z.number().int().openapi({ description: "Send it back (or as If-Match) when updating" }),
    createTime: time,
    updateTime: time,
  })
  .openapi("Product");

export const ProductCardSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    imageUrl: z.string().openapi({ description: "The main image; empty when there is none" }),
    priceFrom: MoneySchema.nullable().openapi({ description: "The lowest variant price" }),
    priceTo: MoneySchema.nullable().openapi({ description: "The highest variant price" }),
    categoryIds: z.array(z.string()),
    attributes: z.array(AttributeSchema),
    variantCount: z.number().int(),
  })
  .openapi("ProductCard");

export const CompactProductCardSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    imageUrl: z.string(),
    priceFrom: MoneySchema.nullable(),
  })
  .openapi("CompactProductCard");

export const FacetsSchema = z
  .object({
    categories: z.array(z.object({ categoryId: z.string(), name: z.string(), count: z.number().int() })),
    attributes: z.array(
      z.object({
        name: z.string(),
        values: z.array(z.object({ value: z.string(), count: z.number().int() })),
      }),
    ),
    priceBuckets: z.array(
      z.object({
        minPrice: MoneySchema,
        maxPrice: MoneySchema.nullable().openapi({ description: "null: no upper bound" }),
        count: z.number().int(),
      }),
    ),
    inStock: z.number().int().openapi({
      description:
        "How many of the products every other filter lets through are in stock (as if inStock were not set)",
    }),
  })
  .openapi("SearchFacets");

export const SORTS = ["relevance", "price_asc", "price_desc", "newest", "name"] as const;

/** `attr=color:red` may repeat: values of one name are alternatives, different names must all hold. */
const attributeFilters = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx) => {
    const filters = new Map<string, string[]>();
    for (const entry of Array.isArray(value) ? value : [value]) {
      const colon = entry.indexOf(":");
      const name = entry.slice(0, colon).trim();
      const one = entry.slice(colon + 1).trim();
      if (colon < 1 || !name || !one || name.length > 40 || one.length > 200) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not name:value` });
        return z.NEVER;
      }
      filters.set(name, [...(filters.get(name) ?? []), one]);
    }
    if (filters.size > 20) {
      ctx.addIssue({ code: "custom", message: "at most 20 attribute names" });
      return z.NEVER;
    }
    return [...filters].map(([name, values]) => ({ name, values }));
  })
  .openapi({
    param: { name: "attr", in: "query", style: "form", explode: true },
    description:
      "Attribute filter `name:value`, repeatable (`attr=color:red&attr=color:blue&attr=size:M`): " +
      "values of one name are alternatives, different names must all hold.",
    type: "array",
    items: { type: "string" },
    example: ["color:red"],
  });

const minor = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SearchQuerySchema = z.object({
  q: z.string().max(200).optional().openapi({ description: "Search words", example: "red shoes" }),
  category: uuid.optional().openapi({ description: "A category id; its subtree is included" }),
  minPrice: minor.optional().openapi({ description: 'Lowest "from" price in minor units, inclusive' }),
  maxPrice: minor.optional().openapi({ description: 'Highest "from" price in minor units, inclusive' }),
  attr: attributeFilters.optional(),
  sort: z.enum(SORTS).optional().openapi({ description: "Default: relevance with q, newest without" }),
  inStock: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .openapi({
      type: "boolean",
      description:
        "true: only products with a variant available in some warehouse. Follows inventory within " +
        "moments; answers may be a few seconds behind it.",
    }),
  pageSize: z.coerce.number().int().min(1).max(100).optional().openapi({ example: 24 }),
  pageToken: z.string().max(1000).optional(),
});

export const AdminSearchQuerySchema = SearchQuerySchema.extend({
  state: z
    .union([ProductStateSchema, z.array(ProductStateSchema)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional()
    .openapi({ description: "Repeatable; default every state", type: "array", items: { type: "string" } }),
});

export const SearchResultSchema = z
  .object({
    products: z.array(ProductCardSchema),
    facets: FacetsSchema,
    totalSize: z.number().int(),
    nextPageToken: z.string().optional(),
  })
  .openapi("ProductSearchResult");

export const CompactSearchResultSchema = SearchResultSchema.extend({
  products: z.array(CompactProductCardSchema),
}).openapi("CompactProductSearchResult");

export const AdminProductListSchema = z
  .object({
    products: z.array(ProductSchema),
    facets: FacetsSchema,
    totalSize: z.number().int(),
    nextPageToken: z.string().optional(),
  })
  .openapi("AdminProductList");

export const IdOrSlugParamSchema = z.object({
  idOrSlug: z
    .union([uuid, slug])
    .openapi({ param: { name: "idOrSlug", in: "path" }, description: "A product id or slug" }),
});
export const IdParamSchema = z.object({ id: uuid.openapi({ param: { name: "id", in: "path" } }) });
export const VariantParamSchema = z.object({
  variantId: uuid.openapi({ param: { name: "variantId", in: "path" } }),
});

export const SuggestQuerySchema = z.object({
  q: z.string().trim().min(1).max(100).openapi({ example: "tra" }),
  pageSize: z.coerce.number().int().min(1).max(20).optional(),
});
export const SuggestionsSchema = z
  .object({
    suggestions: z.array(
      z.object({
        productId: z.string(),
        slug: z.string(),
        name: z.string(),
        imageUrl: z.string(),
        price: MoneySchema.nullable(),
      }),
    ),
  })
  .openapi("Suggestions");

export const CategorySchema = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    position: z.number().int(),
    depth: z.number().int(),
    productCount: z.number().int(),
    createTime: time,
    updateTime: time,
  })
  .openapi("Category");

/** A category with its subcategories, nested to any depth (at most 8 levels). */
export interface CategoryNode extends z.infer<typeof CategorySchema> {
  children: CategoryNode[];
}
export const CategoryNodeSchema: z.ZodType<CategoryNode> = CategorySchema.extend({
  get children() {
    return z.array(CategoryNodeSchema);
  },
}).openapi("CategoryNode");

export const CategoryTreeSchema = z
  .object({ categories: z.array(CategoryNodeSchema) })
  .openapi("CategoryTree");

const priceInput = z
  .object({
    amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like EUR")
      .optional()
      .openapi({ description: "Default: the catalog's currency" }),
  })
  .strict();

const variantFields = {
  sku,
  title: z.string().max(200).optional(),
  optionValues: z.record(z.string().min(1).max(40), z.string().min(1).max(100)).optional(),
  price: priceInput,
  weightGrams: z.number().int().min(0).max(1_000_000).optional(),
};
export const VariantCreateSchema = z.object(variantFields).strict().openapi("VariantCreate");
export const VariantPatchSchema = z
  .object({
    ...variantFields,
    productVersion: z.number().int().min(1).optional().openapi({ description: "Or If-Match" }),
  })
  .partial()
  .strict()
  .openapi("VariantPatch");

const productFields = {
  slug: slug.optional().openapi({ description: "Made from the name when left out" }),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  state: ProductStateSchema.optional(),
  categoryIds: z.array(uuid).max(20).optional(),
  attributes: z.array(AttributeSchema.strict()).max(50).optional(),
  images: z.array(ImageSchema.strict()).max(20).optional(),
};
export const ProductCreateSchema = z
  .object({ ...productFields, variants: z.array(VariantCreateSchema).max(100).optional() })
  .strict()
  .openapi("ProductCreate");
export const ProductPatchSchema = z
  .object({
    ...productFields,
    slug,
    version: z.number().int().min(1).optional().openapi({ description: "The version read; or If-Match" }),
  })
  .partial()
  .strict()
  .openapi("ProductPatch");
const categoryFields = {
  parentId: uuid.nullable().optional().openapi({ description: "null or absent: top level" }),
  name: z.string().trim().min(1).max(100),
  slug: slug.optional(),
  description: z.string().max(2000).optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
};
export const CategoryCreateSchema = z.object(categoryFields).strict().openapi("CategoryCreate");
export const CategoryPatchSchema = z
  .object({ ...categoryFields, slug })
  .partial()
  .strict()
  .openapi("CategoryPatch");

export const ExportQuerySchema = z.object({
  state: AdminSearchQuerySchema.shape.state,
  category: uuid.optional(),
});
