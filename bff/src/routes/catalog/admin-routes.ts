import { createRoute, z } from "@hono/zod-openapi";
import type { Product } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { Context } from "hono";
import { stream } from "hono/streaming";
import { callContext } from "../../call-context.ts";
import { ProblemError, problemResponses } from "../../errors/index.ts";
import { requirePermission } from "../../middleware/auth/index.ts";
import { bearerSecurity, type RouteRegistrar } from "../types.ts";
import { expectedVersion, requiredVersion } from "./http-cache.ts";
import { bodyField, IMPORT_MAX_BYTES, type ImportRowError, importRows } from "./import.ts";
import {
  CATEGORY_MASK_FIELDS,
  categoryJson,
  facetsJson,
  maskPaths,
  PRODUCT_MASK_FIELDS,
  productJson,
  productMessage,
  STATE_VALUES,
  searchRequest,
  VARIANT_MASK_FIELDS,
  variantJson,
  variantMessage,
} from "./mappers.ts";
import { catalogResponseCache } from "./response-cache.ts";
import {
  AdminProductListSchema,
  AdminSearchQuerySchema,
  CategoryCreateSchema,
  CategoryPatchSchema,
  CategorySchema,
  ExportQuerySchema,
  IdParamSchema,
  ProductCreateSchema,
  ProductPatchSchema,
  ProductSchema,
  VariantCreateSchema,
  VariantParamSchema,
  VariantPatchSchema,
  VariantSchema,
} from "./schemas.ts";

const json = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});
const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});
const versioned = (description: string) => ({
  ...ok(description, ProductSchema),
  headers: z.object({
    ETag: z.string().openapi({ description: 'The version, quoted ("3"): send it as If-Match' }),
  }),
});
const ifMatch = z.object({
  "if-match": z.string().optional().openapi({ description: 'The product version read, e.g. "3"' }),
});
const ImportResultSchema = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    failed: z.number().int(),
    errors: z.array(
      z.object({
        line: z.number().int().openapi({ description: "1-based line of the body" }),
        message: z.string(),
        fields: z
          .array(z.string())
          .openapi({ description: 'JSON paths in the line, e.g. "variants[0].sku"' }),
      }),
    ),
  })
  .openapi("ProductImportResult");
const NDJSON_TYPES = new Set(["application/x-ndjson", "application/jsonl", "application/jsonlines"]);
/** How long an import may take end to end (the catalog applies rows one transaction each). */
const IMPORT_TIMEOUT_MS = 10 * 60_000;
const ProductWithVariantSchema = z
  .object({ product: ProductSchema, variant: VariantSchema })
  .openapi("ProductWithVariant");

/** The product as JSON with its version as a strong ETag, for If-Match on the next write. */
function versionedJson<S extends 200 | 201>(c: Context, product: Product | undefined, status: S) {
  const body = productJson(product);
  c.header("ETag", `"${body.version}"`);
  c.header("Cache-Control", "no-store");
  return c.json(body, status);
}

function atLeastOneField(body: Record<string, unknown>, fields: Record<string, string>): string[] {
  const paths = maskPaths(body, fields);
  if (paths.length === 0) {
    throw new ProblemError({
      status: 400,
      code: "VALIDATION_FAILED",
      detail: "The request changes nothing: name at least one field.",
      errors: [{ field: "body", message: `must set one of ${Object.keys(fields).join(", ")}` }],
    });
  }
  return paths;
}

/**
 * Catalog management on the admin surface (`/admin/v1/products...`, `/variants...`,
 * `/categories...`). Every route needs catalog.write, here and again in the catalog. Writes to a
 * product carry the version read (`version` or If-Match); a stale one is 409.
 */
export const adminCatalogRoutes: RouteRegistrar = (app, deps) => {
  const tag = "Catalog (admin)";
  const security = bearerSecurity;
  const guard = requirePermission("catalog.write");
  app.use("/products", guard);
  app.use("/products/*", guard);
  app.use("/variants/*", guard);
  app.use("/categories", guard);
  app.use("/categories/*", guard);
  // The catalog announces its changes to every BFF; this one also forgets its cached answers at
  // once, so whoever wrote reads their write.
  const cache = catalogResponseCache(deps);
  app.on(
    ["POST", "PUT", "PATCH", "DELETE"],
    ["/products", "/products/*", "/variants/*", "/categories", "/categories/*"],
    async (_c, next) => {
      try {
        await next();
      } finally {
        cache.clear();
      }
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/products/export",
      tags: [tag],
      summary: "Export products as NDJSON",
      description: "One product JSON per line, in id order, streamed. Default: every state.",
      security,
      request: { query: ExportQuerySchema },
      responses: {
        200: {
          description: "Newline-delimited products",
          content: { "application/x-ndjson": { schema: z.string() } },
        },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const products = deps.catalog.exportProducts(
        {
          states: (query.state ?? []).map((state) => STATE_VALUES[state]),
          categoryId: query.category ?? "",
        },
        { call: callContext(c), signal: c.req.raw.signal },
      );
      // The first message (or failure) decides the status: errors before any row stay problem+json.
      const iterator = products[Symbol.asyncIterator]();
      const first = await iterator.next();
      c.header("Content-Type", "application/x-ndjson");
      c.header("Cache-Control", "no-store");
      return stream(c, async (out) => {
        if (!first.done) await out.write(`${JSON.stringify(productJson(first.value.product))}\n`);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          await out.write(`${JSON.stringify(productJson(next.value.product))}\n`);
        }
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/products/import",
      tags: [tag],
      summary: "Import products from NDJSON",
      description:
        "One product JSON per line, in the export's shape (ids, versions and times are ignored). A " +
        "product whose slug exists is replaced (its id and the ids of variants whose SKU stays are " +
        "kept); a new slug creates one. Each line is applied on its own: bad lines are reported with " +
        `their line number and good lines applied. At most ${IMPORT_MAX_BYTES} bytes.`,
      security,
      request: {
        body: { content: { "application/x-ndjson": { schema: z.string() } }, required: true },
      },
      responses: {
        200: ok("What was applied, and why each failed line was not", ImportResultSchema),
        ...problemResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!NDJSON_TYPES.has(type)) {
        throw new ProblemError({
          status: 415,
          code: "UNSUPPORTED_MEDIA_TYPE",
          detail: "The import must be NDJSON (Content-Type: application/x-ndjson).",
        });
      }
      const rejected: ImportRowError[] = [];
      let inputProblem: unknown;
      const rows = importRows(c.req.raw.body, (error) => rejected.push(error));
      // Remembers a body failure (too large) so it answers as itself, not as a failed call.
      async function* watched() {
        try {
          yield* rows;
        } catch (error) {
          inputProblem = error;
          throw error;
        }
      }
      const answer = await deps.catalog
        .importProducts(watched(), {
          call: callContext(c),
          signal: c.req.raw.signal,
          timeoutMs: IMPORT_TIMEOUT_MS,
        })
        .catch((error: unknown) => {
          throw inputProblem ?? error;
        });
      const errors = [
        ...rejected,
        ...answer.errors.map((error) => ({
          line: error.line,
          message: error.message,
          fields: error.fields.map(bodyField),
        })),
      ].sort((a, b) => a.line - b.line);
      c.header("Cache-Control", "no-store");
      return c.json({ created: answer.created, updated: answer.updated, failed: errors.length, errors }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/products",
      tags: [tag],
      summary: "List and search products in any state",
      description: "The storefront's search, plus `state` (repeatable; default every state).",
      security,
      request: { query: AdminSearchQuerySchema },
      responses: {
        200: ok("A page of products", AdminProductListSchema),
        ...problemResponses(400, 401, 403, 422),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const states = (query.state ?? ["draft", "active", "archived"]).map((state) => STATE_VALUES[state]);
      const answer = await deps.catalog.searchProducts(searchRequest(query, states), {
        call: callContext(c),
      });
      return c.json(
        {
          products: answer.products.map(productJson),
          facets: facetsJson(answer.facets),
          totalSize: answer.totalSize,
          ...(answer.nextPageToken ? { nextPageToken: answer.nextPageToken } : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/products/{id}",
      tags: [tag],
      summary: "One product, in any state",
      security,
      request: { params: IdParamSchema },
      responses: { 200: versioned("The product"), ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { product } = await deps.catalog.getProduct(
        { id: c.req.valid("param").id },
        { call: callContext(c) },
      );
      return versionedJson(c, product, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/products",
      tags: [tag],
      summary: "Create a product",
      description: "With its first variants; state defaults to draft. An active product needs a variant.",
      security,
      request: { body: json(ProductCreateSchema) },
      responses: { 201: versioned("The product"), ...problemResponses(400, 401, 403, 409, 422) },
    }),
    async (c) => {
      const { product } = await deps.catalog.createProduct(
        { product: productMessage(c.req.valid("json")) },
        { call: callContext(c) },
      );
      c.header("Location", `${new URL(c.req.url).pathname}/${product?.id ?? ""}`);
      return versionedJson(c, product, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/products/{id}",
      tags: [tag],
      summary: "Change some fields of a product",
      description:
        "Only the fields present change. Needs the version read (`version`, or If-Match with the ETag); " +
        "409 STALE_VERSION when the product changed since.",
      security,
      request: { params: IdParamSchema, headers: ifMatch, body: json(ProductPatchSchema) },
      responses: { 200: versioned("The product"), ...problemResponses(400, 401, 403, 404, 409, 422, 428) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const paths = atLeastOneField(body, PRODUCT_MASK_FIELDS);
      const version = requiredVersion(c, body.version);
      const { product } = await deps.catalog.updateProduct(
        {
          product: { ...productMessage(body), id: c.req.valid("param").id, version: BigInt(version) },
          updateMask: { paths },
        },
        { call: callContext(c) },
      );
      return versionedJson(c, product, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/products/{id}/archive",
      tags: [tag],
      summary: "Archive a product",
      description:
        "Hidden from customers, kept for order history. Archiving twice succeeds. If-Match (optional) " +
        "checks the version.",
      security,
      request: { params: IdParamSchema, headers: ifMatch },
      responses: { 200: versioned("The product"), ...problemResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const version = expectedVersion(c, undefined);
      const { product } = await deps.catalog.archiveProduct(
        { id: c.req.valid("param").id, version: BigInt(version ?? 0) },
        { call: callContext(c) },
      );
      return versionedJson(c, product, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/products/{id}/variants",
      tags: [tag],
      summary: "Add a variant",
      description: "409 when the SKU is taken. If-Match (optional) checks the product version.",
      security,
      request: { params: IdParamSchema, headers: ifMatch, body: json(VariantCreateSchema) },
      responses: {
        201: ok("The product and the new variant", ProductWithVariantSchema),
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const version = expectedVersion(c, undefined);
      const answer = await deps.catalog.addVariant(
        {
          productId: c.req.valid("param").id,
          variant: variantMessage(c.req.valid("json")),
          productVersion: BigInt(version ?? 0),
        },
        { call: callContext(c) },
      );
      return c.json(withVariant(answer), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/variants/{variantId}",
      tags: [tag],
      summary: "Change some fields of a variant",
      description: "`productVersion` (or If-Match), when given, must be the product's current version.",
      security,
      request: { params: VariantParamSchema, headers: ifMatch, body: json(VariantPatchSchema) },
      responses: {
        200: ok("The product and the variant", ProductWithVariantSchema),
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const paths = atLeastOneField(body, VARIANT_MASK_FIELDS);
      const version = expectedVersion(c, body.productVersion);
      const answer = await deps.catalog.updateVariant(
        {
          variant: variantMessage(body, c.req.valid("param").variantId),
          updateMask: { paths },
          productVersion: BigInt(version ?? 0),
        },
        { call: callContext(c) },
      );
      return c.json(withVariant(answer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/variants/{variantId}",
      tags: [tag],
      summary: "Remove a variant",
      description: "422 for the last variant of an active product.",
      security,
      request: { params: VariantParamSchema, headers: ifMatch },
      responses: { 200: versioned("The product"), ...problemResponses(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const version = expectedVersion(c, undefined);
      const { product } = await deps.catalog.removeVariant(
        { variantId: c.req.valid("param").variantId, productVersion: BigInt(version ?? 0) },
        { call: callContext(c) },
      );
      return versionedJson(c, product, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/categories",
      tags: [tag],
      summary: "Create a category",
      security,
      request: { body: json(CategoryCreateSchema) },
      responses: { 201: ok("The category", CategorySchema), ...problemResponses(400, 401, 403, 409, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { category } = await deps.catalog.createCategory(
        {
          category: {
            parentId: body.parentId ?? "",
            name: body.name,
            slug: body.slug ?? "",
            description: body.description ?? "",
            position: body.position ?? 0,
          },
        },
        { call: callContext(c) },
      );
      if (!category) throw new Error("the catalog answered without a category");
      return c.json(categoryJson(category), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/categories/{id}",
      tags: [tag],
      summary: "Rename or move a category",
      description: "`parentId` moves it with its subtree (null: to the top level).",
      security,
      request: { params: IdParamSchema, body: json(CategoryPatchSchema) },
      responses: {
        200: ok("The category", CategorySchema),
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const paths = atLeastOneField(body, CATEGORY_MASK_FIELDS);
      const { category } = await deps.catalog.updateCategory(
        {
          category: {
            id: c.req.valid("param").id,
            parentId: body.parentId ?? "",
            name: body.name ?? "",
            slug: body.slug ?? "",
            description: body.description ?? "",
            position: body.position ?? 0,
          },
          updateMask: { paths },
        },
        { call: callContext(c) },
      );
      if (!category) throw new Error("the catalog answered without a category");
      return c.json(categoryJson(category), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/categories/{id}",
      tags: [tag],
      summary: "Delete an empty category",
      description: "422 while it has subcategories or products.",
      security,
      request: { params: IdParamSchema },
      responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      await deps.catalog.deleteCategory({ id: c.req.valid("param").id }, { call: callContext(c) });
      return c.body(null, 204);
    },
  );
};

function withVariant(answer: { product?: Product; variant?: Parameters<typeof variantJson>[0] }) {
  if (!answer.variant) throw new Error("the catalog answered without a variant");
  return { product: productJson(answer.product), variant: variantJson(answer.variant) };
}
