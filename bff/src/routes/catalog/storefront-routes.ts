import { createRoute, z } from "@hono/zod-openapi";
import { ProductView } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import type { Context, MiddlewareHandler } from "hono";
import { callContext } from "../../call-context.ts";
import { problemResponses } from "../../errors/index.ts";
import type { RouteRegistrar } from "../types.ts";
import { cachedBody, weakEtag } from "./http-cache.ts";
import {
  cardJson,
  categoryTree,
  compactCardJson,
  facetsJson,
  productJson,
  searchRequest,
  suggestionJson,
} from "./mappers.ts";
import { answerKey, type CachedAnswer, catalogResponseCache, sharedAnswer } from "./response-cache.ts";
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

/** How an answer goes out: with ETag and Cache-Control (reads of one thing), or plain JSON (searches). */
type AnswerKind = "validated" | "plain";

function send(c: Context, answer: CachedAnswer, kind: AnswerKind): Response {
  if (kind === "validated") return cachedBody(c, answer);
  return c.body(answer.body, 200, { "Content-Type": "application/json" });
}

/**
 * The storefront's catalog (`<prefix>/products`, `/categories`, `/search/suggest`). The catalog
 * decides what the caller may see from the forwarded token: customers only ever get ACTIVE
 * products, whatever they ask for.
 *
 * Answers that are the same for every caller but staff are kept in the BFF's catalog response
 * cache (response-cache.ts) and served from it before the request is even validated.
 */
export function catalogRoutes(cards: CardStyle): RouteRegistrar {
  return (app, deps) => {
    const tag = "Catalog";
    const card = cards === "full" ? cardJson : compactCardJson;
    const cache = catalogResponseCache(deps);

    const fromCache =
      (kind: AnswerKind): MiddlewareHandler =>
      async (c, next) => {
        if (c.req.method === "GET" && cache.active && sharedAnswer(c)) {
          const hit = cache.get(answerKey(c, cards));
          if (hit) return send(c, hit, kind);
        }
        await next();
      };
    /** Serialises an answer once, keeps it when it is shareable, and sends it. */
    const answer = (c: Context, ticket: number, value: unknown, kind: AnswerKind): Response => {
      const body = JSON.stringify(value);
      const validated = kind === "validated";
      const shared = sharedAnswer(c)
        ? cache.set(answerKey(c, cards), ticket, body, {
            etag: validated,
            // One-off searches are many and rarely asked again: kept from their second time.
            admit: validated ? "always" : "repeated",
          })
        : { body, etag: validated ? weakEtag(body) : "" };
      return send(c, shared, kind);
    };
    app.use("/products", fromCache("plain"));
    app.use("/products/:idOrSlug", fromCache("validated"));
    app.use("/categories", fromCache("validated"));
    app.use("/search/suggest", fromCache("plain"));

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
        const ticket = cache.ticket();
        // Cards need only the BASIC view: no descriptions, times or variant details to send and decode.
        const found = await deps.catalog.searchProducts(
          searchRequest(c.req.valid("query"), [], ProductView.BASIC),
          { call: callContext(c) },
        );
        const value = {
          products: found.products.map(card),
          facets: facetsJson(found.facets),
          totalSize: found.totalSize,
          ...(found.nextPageToken ? { nextPageToken: found.nextPageToken } : {}),
        };
        return answer(c, ticket, value, "plain") as never;
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
        const ticket = cache.ticket();
        const { idOrSlug } = c.req.valid("param");
        const { product } = await deps.catalog.getProduct(
          UUID.test(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug },
          { call: callContext(c) },
        );
        return answer(c, ticket, productJson(product), "validated") as never;
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
        const ticket = cache.ticket();
        const { categories } = await deps.catalog.listCategories({}, { call: callContext(c) });
        return answer(c, ticket, { categories: categoryTree(categories) }, "validated") as never;
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
        const ticket = cache.ticket();
        const { q, pageSize } = c.req.valid("query");
        const { suggestions } = await deps.catalog.suggestProducts(
          { query: q, pageSize: pageSize ?? 0 },
          { call: callContext(c) },
        );
        return answer(c, ticket, { suggestions: suggestions.map(suggestionJson) }, "plain") as never;
      },
    );
  };
}
