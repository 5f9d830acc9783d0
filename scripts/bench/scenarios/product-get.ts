import { CatalogService } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createRpcClient } from "@shopmesh/kit/rpc";
import { DEMO_PRODUCT_COUNT } from "../../seed/generate.ts";
import { closedLoop } from "../load.ts";
import type { BenchResult, Scenario } from "../types.ts";
import { atRate, bffServes, cpuPerRequest, measureHttpPaths, startSeededShop } from "./seeded-shop.ts";

/** How many different products the load spreads over; each is read once first, so all are cached. */
const HOT_PRODUCTS = 100;

/**
 * A product page read with a warm cache: GET /api/v1/products/{slug} through the BFF, over 100
 * demo products read once beforehand; then catalog's GetProduct over gRPC alone, which tells the
 * BFF's share from the catalog's. Without the BFF route only the gRPC figure is taken, and it
 * carries the target (the note says so).
 */
export const productGet: Scenario = {
  name: "product-get",
  description: "GET /api/v1/products/{slug} through the BFF, cache hit",
  async run(context) {
    const shop = await startSeededShop(context, DEMO_PRODUCT_COUNT);
    const catalog = createRpcClient(CatalogService, { address: shop.catalogAddress, timeoutMs: 5000 });
    try {
      const slugs = shop.demo.products.slice(0, HOT_PRODUCTS).map((product) => product.slug);
      const target = { requestsPerSec: 5000, p99Ms: 10 };
      const seeded = `${shop.demo.products.length} products seeded in ${(shop.seedMs / 1000).toFixed(0)} s`;
      let turn = 0;
      const nextSlug = () => slugs[turn++ % slugs.length] as string;
      const rows: BenchResult[] = [];

      const viaBff = await bffServes(shop.platform.baseUrl, `/api/v1/products/${slugs[0]}`);
      if (viaBff) {
        for (const slug of slugs) await bffServes(shop.platform.baseUrl, `/api/v1/products/${slug}`);
        context.log(`product-get: BFF, ${context.connections} connections, ${context.durationS} s`);
        const { cpu, ...result } = await measureHttpPaths({
          baseUrl: shop.platform.baseUrl,
          nextPath: () => `/api/v1/products/${nextSlug()}`,
          connections: context.connections,
          durationS: context.durationS,
          cpuMs: shop.platform.cpuMs,
        });
        rows.push({
          name: "product-get",
          ...result,
          target: { requestsPerSec: target.requestsPerSec },
          note: `BFF, ${HOT_PRODUCTS} warm slugs, saturated (closed loop); ${seeded}${cpu ? `; ${cpu}` : ""}`,
        });
        context.log(`product-get: ${target.requestsPerSec} req/s offered, ${context.durationS} s`);
        const { cpu: _cpu, ...atTarget } = await measureHttpPaths({
          baseUrl: shop.platform.baseUrl,
          nextPath: () => `/api/v1/products/${nextSlug()}`,
          connections: context.connections,
          durationS: context.durationS,
          rate: target.requestsPerSec,
        });
        rows.push(
          atRate(
            "product-get-at-rate",
            target.requestsPerSec,
            atTarget,
            target.p99Ms,
            `BFF, ${HOT_PRODUCTS} warm slugs, ${context.connections} connections`,
          ),
        );
      } else {
        context.log(
          "product-get: the BFF has no GET /api/v1/products/{slug}; measuring catalog GetProduct only",
        );
      }

      for (const slug of slugs) await catalog.getProduct({ slug });
      context.log(`product-get-grpc: ${context.connections} calls in flight, ${context.durationS} s`);
      const call = () => catalog.getProduct({ slug: nextSlug() });
      await closedLoop(call, { concurrency: context.connections, durationMs: 1000 });
      const before = shop.platform.cpuMs();
      const result = await closedLoop(call, {
        concurrency: context.connections,
        durationMs: context.durationS * 1000,
      });
      const cpu = cpuPerRequest(before, shop.platform.cpuMs(), result.requestsPerSec * context.durationS);
      rows.push({
        name: viaBff ? "product-get-grpc" : "product-get",
        requestsPerSec: result.requestsPerSec,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        errors: result.errors,
        ...(viaBff ? {} : { target }),
        note: `${
          viaBff
            ? "catalog gRPC GetProduct alone, same slugs"
            : `NO BFF ROUTE: catalog gRPC GetProduct, ${HOT_PRODUCTS} warm slugs; ${seeded}`
        }${cpu ? `; ${cpu}` : ""}`,
      });
      return rows;
    } finally {
      catalog.close();
      await shop.close();
    }
  },
};
