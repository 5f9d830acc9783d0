import { once } from "node:events";
import { type DescMessage, fromBinary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { CatalogService, type ProductSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createServiceToken, type RoleName, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { createRedis } from "@shopmesh/kit/redis";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createInventory, type Inventory } from "../../inventory/src/app.ts";
import { loadInventoryConfig } from "../../inventory/src/config.ts";
import { type Catalog, createCatalog } from "../src/app.ts";
import { loadCatalogConfig } from "../src/config.ts";

export const SERVICE_SECRET = "catalog-test-service-secret";

/** A catalog service running in-process on a random port, on its own database, stream and key prefixes. */
export interface TestCatalog {
  catalog: Catalog;
  address: string;
  prefix: string;
  client: RpcClient<typeof CatalogService>;
  /** Call options of an admin (catalog.write), a support agent and a customer. */
  admin: CallOptions;
  support: CallOptions;
  customer: CallOptions;
  /** Call options of the service "cart" (service token). */
  service: CallOptions;
  /** The public keys the tokens above are signed with, for a BFF in front of this catalog. */
  jwks: JWK[];
  /** Events in the outbox of one schema, optionally about one aggregate, oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  /** Keys in Redis under this catalog's prefix (without the prefix). */
  cacheKeys(): Promise<string[]>;
  /** The inventory the catalog reads availability from, when started with `inventory: true`. */
  inventory?: TestInventory;
  stop(): Promise<void>;
}

/** A real inventory service on the catalog's database (own schema) and event prefix. */
export interface TestInventory {
  inventory: Inventory;
  /** Calls as the service "order" (service token): services may call every inventory RPC. */
  client: RpcClient<typeof InventoryService>;
}

export interface StartCatalogOptions {
  /** Also start inventory, before the catalog, and point the catalog at it. */
  inventory?: boolean;
}

/**
 * Starts a catalog for one test file. Tokens are signed with a key made here and verified by
 * the kit's verifier, exactly as identity's would be. Without `inventory`, the catalog's
 * inventory address is one where nothing listens: availability stays unknown (not in stock).
 */
export async function startCatalog(
  env: Record<string, string> = {},
  options: StartCatalogOptions = {},
): Promise<TestCatalog> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const kid = `test-${prefix}`;
  const jwks: JWK[] = [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }];
  const sign = (userId: string, roles: RoleName[]) =>
    new SignJWT({ sid: `session-${userId}`, roles })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setSubject(userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);

  let inventory: Inventory | undefined;
  if (options.inventory) {
    inventory = await createInventory(
      loadInventoryConfig({
        DATABASE_URL: database.url,
        EVENTS_PREFIX: prefix,
        PORT: "0",
        METRICS_PORT: "0",
        LOG_LEVEL: "silent",
        SERVICE_TOKEN_SECRET: SERVICE_SECRET,
      }),
      { logger: createLogger({ service: "inventory", level: "silent" }), jwks: async () => jwks },
    ).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
  }
  const inventoryAddress = inventory ? `127.0.0.1:${await inventory.listen(0, "127.0.0.1")}` : "127.0.0.1:1";

  const config = loadCatalogConfig({
    DATABASE_URL: database.url,
    INVENTORY_ADDRESS: inventoryAddress,
    EVENTS_PREFIX: prefix,
    CACHE_PREFIX: `${prefix}:catalog:`,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    ...env,
  });
  let catalog: Catalog;
  try {
    catalog = await createCatalog(config, {
      logger: createLogger({ service: "catalog", level: "silent" }),
      keys: async () => jwks,
    });
  } catch (error) {
    await inventory?.close(200);
    await database.drop();
    throw error;
  }
  const port = await catalog.listen(0, "127.0.0.1");
  const inventoryClient = inventory
    ? createRpcClient(InventoryService, {
        address: inventoryAddress,
        timeoutMs: 15_000,
        serviceToken: createServiceToken({ service: "order", secret: SERVICE_SECRET }),
      })
    : undefined;
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(CatalogService, { address, timeoutMs: 15_000 });
  const bearer = async (userId: string, roles: RoleName[]): Promise<CallOptions> => ({
    call: { authorization: `Bearer ${await sign(userId, roles)}` },
  });
  const serviceToken = createServiceToken({ service: "cart", secret: SERVICE_SECRET });

  return {
    catalog,
    address,
    prefix,
    client,
    admin: await bearer("0190f3a4-0000-7000-8000-00000000ad01", ["admin"]),
    support: await bearer("0190f3a4-0000-7000-8000-00000000ad02", ["support"]),
    customer: await bearer("0190f3a4-0000-7000-8000-00000000c001", ["customer"]),
    service: { call: { authorization: `Bearer ${await serviceToken()}` } },
    jwks,
    ...(inventory && inventoryClient ? { inventory: { inventory, client: inventoryClient } } : {}),
    async events(schema, aggregateId) {
      const rows = await catalog.db.execute<{ data: Uint8Array }>(
        `select data from outbox_events where type = ?${aggregateId ? " and aggregate_id = ?" : ""} order by id`,
        aggregateId ? [schema.typeName, aggregateId] : [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
    },
    async cacheKeys() {
      // KEYS patterns are not prefixed by the client's keyPrefix.
      const keys = await catalog.redis.keys(`${config.CACHE_PREFIX}*`);
      return keys.map((key) => key.slice(config.CACHE_PREFIX.length));
    },
    async stop() {
      client.close();
      await catalog.close(1_000);
      inventoryClient?.close();
      await inventory?.close(1_000);
      // After closing: until then an invalidation (an in-stock change, a reconnect) may write again.
      await deleteCacheKeys(config.REDIS_URL, config.CACHE_PREFIX);
      await deleteStreams(prefix).catch(() => undefined);
      await database.drop();
    },
  };
}

/** What CreateProduct accepts as a product, as a plain object. */
export type ProductInit = Exclude<MessageInitShape<typeof ProductSchema>, { $typeName: string }>;

/** A product to create: an ACTIVE T-shirt with two sizes unless told otherwise. */
export function productInit(sku: string, overrides: Partial<ProductInit> = {}): ProductInit {
  return {
    name: `Organic Cotton Tee ${sku}`,
    description: "A soft, breathable everyday T-shirt.",
    state: 2, // ACTIVE
    attributes: [{ name: "brand", value: "Acme" }],
    images: [{ url: `https://img.example.com/${sku}.jpg`, altText: "front" }],
    variants: [
      {
        sku: `${sku}-S`,
        optionValues: { size: "S" },
        price: { amountMinor: 1999n, currency: "EUR" },
        weightGrams: 180,
      },
      {
        sku: `${sku}-M`,
        optionValues: { size: "M" },
        price: { amountMinor: 2199n, currency: "EUR" },
        weightGrams: 200,
      },
    ],
    ...overrides,
  };
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";
export { Code };

/** Deletes every Redis key under `prefix` (a client without keyPrefix: KEYS patterns are not prefixed). */
async function deleteCacheKeys(url: string, prefix: string): Promise<void> {
  const redis = createRedis({ url });
  redis.on("error", () => undefined);
  try {
    await once(redis, "ready", { signal: AbortSignal.timeout(2_000) });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // Redis down (the "with Redis down" tests): nothing was written either.
  } finally {
    redis.disconnect();
  }
}
