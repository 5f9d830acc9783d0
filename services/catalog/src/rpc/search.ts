import { create } from "@bufbuild/protobuf";
import {
  type CatalogService,
  SearchProductsResponseSchema,
  SuggestProductsResponseSchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { permissionDenied } from "@shopmesh/kit/errors";
import { isUuid } from "@shopmesh/kit/ids";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { priceBucketEdges } from "../domain/money.ts";
import type { ProductState } from "../domain/product.ts";
import {
  buildSearchQuery,
  checkSuggestQuery,
  isSortKey,
  prefixTsQuery,
  SEARCH_PAGE,
  SUGGEST_PAGE,
  searchKey,
} from "../domain/search.ts";
import { seesAllStates } from "./access.ts";
import { facetsToProto, productCardMessage, productMessage, stateFromProto } from "./convert.ts";
import type { CatalogDeps } from "./deps.ts";

type Handlers = ServiceHandlers<typeof CatalogService>;

/**
 * SearchProducts and SuggestProducts. Storefront searches (ACTIVE products only, the same answer
 * for every caller) are cached per page and view, from a page's second request on, until the
 * catalog changes. The BASIC view reads listing cards in one lean statement instead of whole
 * products.
 */
export function searchHandlers(deps: CatalogDeps): Pick<Handlers, "searchProducts" | "suggestProducts"> {
  const { store, cache, currency, inStockTtlSeconds } = deps;
  const edges = priceBucketEdges(currency);

  return {
    async searchProducts(request, ctx) {
      const query = buildSearchQuery(
        {
          query: request.query,
          categoryId: request.categoryId,
          minPrice: request.minPrice,
          maxPrice: request.maxPrice,
          attributes: request.attributes,
          sort: request.sort,
          states: request.states.map(stateFromProto),
          inStockOnly: request.inStockOnly,
          view: request.view,
        },
        { currency },
      );
      const storefront = query.states.length === 1 && query.states[0] === "active";
      if (!storefront && !seesAllStates(ctx)) {
        throw permissionDenied("searching products that are not ACTIVE needs the permission catalog.write");
      }
      const size = pageSize(request.pageSize, SEARCH_PAGE);
      const key = searchKey(query);
      // The key is the search's canonical JSON already: hashed as it is, so tokens stay valid.
      const filters = filterHash(key);
      // A client could forge a token: its id and sort key must fit the search's order.
      const after = decodePageToken(request.pageToken, filters, (cursor) =>
        isUuid(cursor.id) && cursor.key.length <= 1_000 && isSortKey(query.sort, cursor.key)
          ? cursor
          : undefined,
      );

      const compute = async () => {
        const basic = query.view === "basic";
        // Cards come with the search in one statement; whole products are read after it.
        const rows = await store.search(query, {
          after,
          limit: size + 1,
          bucketEdges: edges,
          ...(basic ? { cards: { count: size, currency } } : {}),
        });
        const ids = rows.page.slice(0, size).map((row) => row.id);
        // A product that changed state since the search is left out rather than shown.
        const shown = (product: { state: ProductState }) => query.states.includes(product.state);
        return create(SearchProductsResponseSchema, {
          products: basic
            ? (rows.cards ?? []).filter(shown).map(productCardMessage)
            : (await store.read().products.byIds(ids)).filter(shown).map(productMessage),
          facets: facetsToProto(rows, edges, currency),
          totalSize: rows.total,
          nextPageToken: nextPageToken(rows.page, size, (last) => last, filters),
        });
      };
      // Stock moves far more often than the catalog: such pages also expire quickly, which bounds
      // their staleness should an in-stock change fail to drop them. Most searches are asked
      // once (a shopper typing a new query): a page is only written to the cache once its key
      // comes back.
      return storefront
        ? cache.cached(
            `search\n${key}\n${size}\n${request.pageToken}\n${query.view}`,
            SearchProductsResponseSchema,
            compute,
            {
              ...(query.inStockOnly ? { ttlSeconds: inStockTtlSeconds } : {}),
              admission: "repeated",
            },
          )
        : compute();
    },

    async suggestProducts(request) {
      const text = checkSuggestQuery(request.query);
      const limit = pageSize(request.pageSize, SUGGEST_PAGE);
      return cache.cached(
        `suggest\n${text.toLowerCase()}\n${limit}`,
        SuggestProductsResponseSchema,
        async () => {
          const rows = await store.suggest({ text, prefix: prefixTsQuery(text, "AB"), limit });
          return create(SuggestProductsResponseSchema, {
            suggestions: rows.map((row) => ({
              productId: row.id,
              slug: row.slug,
              name: row.name,
              imageUrl: row.imageUrl ?? "",
              ...(row.priceMin !== null ? { price: { amountMinor: BigInt(row.priceMin), currency } } : {}),
            })),
          });
        },
      );
    },
  };
}
