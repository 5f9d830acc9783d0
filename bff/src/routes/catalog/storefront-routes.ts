import { createRoute, z } from "@hono/zod-openapi";
import { callContext } from "../../call-context.ts";
import { problemResponses } from "../../errors/index.ts";
import type { RouteRegistrar } from "../types.ts";
import { cachedJson } from "./http-cache.ts";
import {
  cardJson,
  categoryTree,
  compactCardJson,
  facetsJson,
  productJson,
  searchRequest,
  suggestionJson,
} from "./mappers.ts";
import {
  CategoryTreeSchema,
  CompactSearchResultSchema,
  IdOrSlugParamSchema,
  ProductSchema,
  SearchQuerySchema,
  SearchResultSchema,
  SuggestionsSchema,
  SuggestQuerySchema,
} from "./schemas.ts";

/** Product tiles in listings: the web's full cards, or mobile's compact ones. */
export type CardStyle = "full" | "compact";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ok = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { "application/json": { schema } },
});
const cached = <S extends z.ZodType>(description: string, schema: S) => ({
  200: {
    ...ok(description, schema),
    headers: z.object({
      ETag: z.string().openapi({ description: "Send it as If-None-Match to get 304 when unchanged" }),
      "Cache-Control": z.string().openapi({ example: "public, max-age=60" }),
    }),
  },
  304: { description: "Unchanged since the ETag sent in If-None-Match" },
});
const ifNoneMatch = z.object({ "if-none-match": z.string().optional() });

/**
 * The storefront's catalog (`<prefix>/products`, `/categories`, `/search/suggest`). The catalog
 * decides what the caller may see from the forwarded token: customers only ever get ACTIVE
 * products, whatever they ask for.
 */
export function catalogRoutes(cards: CardStyle): RouteRegistrar {
  return (app, deps) => {
    const tag = "Catalog";
    const card = cards === "full" ? cardJson : compactCardJson;

    app.openapi(
      createRoute({
        method: "get",
        path: "/products",
        tags: [tag],
        summary: "Search products",
        description:
          "Full-text search with filters and facets. Each facet counts as if its own filter were not set. " +
          "Page with `pageToken` from the previous answer.",
        request: { query: SearchQuerySchema },
        responses: {
          200: ok("A page of products", cards === "full" ? SearchResultSchema : CompactSearchResultSchema),
          ...problemResponses(400, 422, 503),
        },
      }),
      async (c) => {
        const answer = await deps.catalog.searchProducts(searchRequest(c.req.valid("query")), {
          call: callContext(c),
        });
        return c.json(
          {
            products: answer.products.map(card),
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
        path: "/products/{idOrSlug}",
        tags: [tag],
        summary: "One product, by id or slug",
        request: { params: IdOrSlugParamSchema, headers: ifNoneMatch },
        responses: { ...cached("The product", ProductSchema), ...problemResponses(400, 404, 503) },
      }),
      async (c) => {
        const { idOrSlug } = c.req.valid("param");
        const { product } = await deps.catalog.getProduct(
          UUID.test(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug },
          { call: callContext(c) },
        );
        return cachedJson(c, productJson(product)) as never;
      },
    );

    app.openapi(
      createRoute({
        method: "get",
        path: "/categories",
        tags: [tag],
        summary: "The category tree",
        description: "Nested: each category with its `children`, siblings in display order.",
        request: { headers: ifNoneMatch },
        responses: { ...cached("The tree", CategoryTreeSchema), ...problemResponses(503) },
      }),
      async (c) => {
        const { categories } = await deps.catalog.listCategories({}, { call: callContext(c) });
        return cachedJson(c, { categories: categoryTree(categories) }) as never;
      },
    );

    app.openapi(
      createRoute({
        method: "get",
        path: "/search/suggest",
        tags: [tag],
        summary: "Typeahead suggestions",
        description: "Names starting with the words first; near misses (typos) fill up the list.",
        request: { query: SuggestQuerySchema },
        responses: { 200: ok("Suggestions", SuggestionsSchema), ...problemResponses(400, 422, 503) },
      }),
      async (c) => {
        const { q, pageSize } = c.req.valid("query");
        const { suggestions } = await deps.catalog.suggestProducts(
          { query: q, pageSize: pageSize ?? 0 },
          { call: callContext(c) },
        );
        return c.json({ suggestions: suggestions.map(suggestionJson) }, 200);
      },
    );
  };
}
