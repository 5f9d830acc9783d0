import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { createRandom } from "../../seed/random.ts";
import { ADJECTIVES, DEPARTMENTS } from "../../seed/words.ts";
import { closedLoop } from "../load.ts";
import type { BenchResult, Scenario } from "../types.ts";
import { atRate, bffServes, cpuPerRequest, measureHttpPaths, startSeededShop } from "./seeded-shop.ts";

const PRODUCTS = 10_000;

/** What shoppers type: a rotation of twelve searches, each a hot (cached) page after its first hit. */
export const HOT_QUERIES = [
  "linen shirt",
  "wireless headphones",
  "boots",
  "oak table",
  "running shoe",
  "merino",
  "kettle",
  "backpack",
  "lamp",
  "yoga mat",
  "jackt",
  "cast iron pan",
];

/**
 * Distinct queries a shopper might type ("oak side table", "hyggehus vintage rug", "soft linen
 * shirt": two or three words of one department, so most find products) in a fixed shuffled
 * order, about 33,000 of them: the uncached runs take them in turn and a run of this machine
 * sends fewer, so every request misses the search caches and runs the SQL.
 */
export function coldQueries(count = Number.POSITIVE_INFINITY, seed = 7): string[] {
  const queries = DEPARTMENTS.flatMap((department) => {
    const nouns = department.groups.flatMap((group) => group.nouns);
    const words = [...ADJECTIVES, ...department.brands, ...department.materials];
    const pairs = words.flatMap((word) => nouns.map((noun) => `${word} ${noun}`));
    // the order of the words of a product name: brand, adjective, material, noun
    const triples = [
      ...department.brands.flatMap((brand) =>
        [...ADJECTIVES, ...department.materials].map((second) => `${brand} ${second}`),
      ),
      ...ADJECTIVES.flatMap((adjective) =>
        department.materials.map((material) => `${adjective} ${material}`),
      ),
    ].flatMap((two) => nouns.map((noun) => `${two} ${noun}`));
    return [...pairs, ...triples];
  });
  const distinct = [...new Set(queries.map((query) => query.toLowerCase()))];
  return createRandom(seed).sample(distinct, Math.min(count, distinct.length));
}

/**
 * Product search over 10,000 seeded products: GET /api/v1/products?q= through the BFF, twice —
 * rotating twelve popular queries (served mostly from the search cache) and with a distinct query
 * per request (cache misses: full-text, trigram and facets in PostgreSQL). Measures catalog's
 * SearchProducts over gRPC instead while the BFF has no catalog routes, and says so in the note.
 */
export const search: Scenario = {
  name: "search",
  description: "GET /api/v1/products?q= through the BFF over 10,000 products",
  async run(context) {
    // search reads only the catalog: the stock is left out to keep seeding 10,000 products short
    const shop = await startSeededShop(context, PRODUCTS, { stock: false });
    try {
      const target = { requestsPerSec: 1000, p99Ms: 50 };
      const seeded = `${PRODUCTS} products seeded in ${(shop.seedMs / 1000).toFixed(0)} s`;
      const rotate = (queries: readonly string[]) => {
        let turn = 0;
        return () => queries[turn++ % queries.length] as string;
      };
      // one turn through the cold queries for every uncached run, so none asks a query twice
      const cold = rotate(coldQueries());
      const runs = [
        {
          name: "search",
          next: rotate(HOT_QUERIES),
          what: `${HOT_QUERIES.length} queries rotated (cache warm)`,
        },
        { name: "search-uncached", next: cold, what: "a new query per request (cache miss)" },
      ];
      const rows: BenchResult[] = [];

      const viaBff = await bffServes(
        shop.platform.baseUrl,
        `/api/v1/products?q=${encodeURIComponent("boots")}`,
      );
      if (viaBff) {
        for (const run of runs) {
          context.log(`${run.name}: BFF, ${context.connections} connections, ${context.durationS} s`);
          const { cpu, ...result } = await measureHttpPaths({
            baseUrl: shop.platform.baseUrl,
            nextPath: () => `/api/v1/products?q=${encodeURIComponent(run.next())}`,
            connections: context.connections,
            durationS: context.durationS,
            cpuMs: shop.platform.cpuMs,
          });
          rows.push({
            name: run.name,
            ...result,
            target: { requestsPerSec: target.requestsPerSec },
            note: `BFF, ${run.what}, saturated (closed loop); ${seeded}${cpu ? `; ${cpu}` : ""}`,
          });
          context.log(`${run.name}: ${target.requestsPerSec} req/s offered, ${context.durationS} s`);
          const { cpu: _cpu, ...atTarget } = await measureHttpPaths({
            baseUrl: shop.platform.baseUrl,
            nextPath: () => `/api/v1/products?q=${encodeURIComponent(run.next())}`,
            connections: context.connections,
            durationS: context.durationS,
            rate: target.requestsPerSec,
          });
          rows.push(
            atRate(`${run.name}-at-rate`, target.requestsPerSec, atTarget, target.p99Ms, `BFF, ${run.what}`),
          );
        }
      } else {
        context.log("search: the BFF has no GET /api/v1/products; measuring catalog SearchProducts only");
      }

      // the catalog alone, with queries the runs above did not send, tells the BFF's share from the catalog's
      const grpcRuns = [
        { name: "search", next: rotate(HOT_QUERIES), what: runs[0]?.what ?? "" },
        { name: "search-uncached", next: cold, what: runs[1]?.what ?? "" },
      ];
      const catalog = createRpcClient(CatalogService, { address: shop.catalogAddress, timeoutMs: 5000 });
      try {
        for (const run of grpcRuns) {
          const name = viaBff ? `${run.name}-grpc` : run.name;
          context.log(`${name}: gRPC, ${context.connections} calls in flight, ${context.durationS} s`);
          const call = () => catalog.searchProducts({ query: run.next(), pageSize: 24 });
          await closedLoop(call, { concurrency: context.connections, durationMs: 1000 });
          const before = shop.platform.cpuMs();
          const result = await closedLoop(call, {
            concurrency: context.connections,
            durationMs: context.durationS * 1000,
          });
          const cpu = cpuPerRequest(before, shop.platform.cpuMs(), result.requestsPerSec * context.durationS);
          rows.push({
            name,
            requestsPerSec: result.requestsPerSec,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            errors: result.errors,
            ...(viaBff ? {} : { target }),
            note: `${
              viaBff
                ? `catalog gRPC SearchProducts alone, ${run.what}`
                : `NO BFF ROUTE: catalog gRPC SearchProducts, ${run.what}; ${seeded}`
            }${cpu ? `; ${cpu}` : ""}`,
          });
        }
        return rows;
      } finally {
        catalog.close();
      }
    } finally {
      await shop.close();
    }
  },
};
