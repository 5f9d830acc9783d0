import { type DescMessage, fromBinary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { CatalogService, type ProductSchema } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { createServiceToken, type RoleName, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient, RpcError } from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { expect } from "vitest";
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
  /** Events in the outbox of one schema, optionally about one aggregate, oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  /** Keys in Redis under this catalog's prefix (without the prefix). */
  cacheKeys(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts a catalog for one test file. Tokens are signed with a key made here and verified by
 * the kit's verifier, exactly as identity's would be.
 */
export async function startCatalog(env: Record<string, string> = {}): Promise<TestCatalog> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const kid = `test-${prefix}`;
  const jwks = [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }];
  const sign = (userId: string, roles: RoleName[]) =>
    new SignJWT({ sid: `session-${userId}`, roles })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setSubject(userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);

  const config = loadCatalogConfig({
    DATABASE_URL: database.url,
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
    await database.drop();
    throw error;
  }
  const port = await catalog.listen(0, "127.0.0.1");
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
      const keys = await catalog.redis.keys(`${config.CACHE_PREFIX}*`).catch(() => [] as string[]);
      if (keys.length > 0) {
        await catalog.redis
          .del(...keys.map((key) => key.slice(config.CACHE_PREFIX.length)))
          .catch(() => undefined);
      }
      await catalog.close(1_000);
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

/** The RpcError a call fails with (the test fails when it succeeds). */
export async function failure(call: Promise<unknown>): Promise<RpcError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, "the call should have failed").toBeInstanceOf(RpcError);
  return outcome as RpcError;
}

export { Code };
