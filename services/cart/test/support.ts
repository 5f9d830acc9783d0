import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { create, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import {
  CatalogService,
  type VariantSummary,
  VariantSummarySchema,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { createTokenVerifier } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { createRedis, type Redis } from "@shopmesh/kit/redis";
import {
  type AccessRules,
  type CallOptions,
  Code,
  createRpcClient,
  createRpcServer,
  type RpcClient,
  RpcError,
  type ServiceHandlers,
} from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteRedisPrefix, deleteStreams, testPrefix } from "@shopmesh/kit/testing";
import { type CartApp, createCartApp } from "../src/app.ts";
import { loadCartConfig } from "../src/config.ts";

export const SERVICE_SECRET = "cart-test-service-secret";
export const PASSWORD = "a long enough passphrase";

const silent = (service: string) => createLogger({ service, level: "silent" });

type VariantInit = Omit<MessageInitShape<typeof VariantSummarySchema>, "$typeName" | "$unknown">;

/**
 * In-process stand-ins for catalog and inventory: real gRPC servers (the kit's server, the real
 * generated service descriptors) that answer BatchGetVariants and GetAvailability from fixed,
 * test-controlled data and only to callers holding a service token. Every other RPC of the two
 * services is UNIMPLEMENTED.
 */
export interface TestPeers {
  address: string;
  /** Catalog's variants by SKU; change them to change prices. */
  variants: Map<string, VariantSummary>;
  /** Inventory's available units by SKU; absent SKUs are unknown to inventory. */
  stock: Map<string, bigint>;
  /** The SKUs of each call, in order. */
  calls: { catalog: string[][]; inventory: string[][] };
  /** The service principals that called. */
  callers: Set<string>;
  /** Adds a purchasable EUR variant with stock. */
  put(sku: string, amountMinor: bigint, available?: bigint, overrides?: Partial<VariantInit>): void;
  stop(): Promise<void>;
}

export async function startPeers(): Promise<TestPeers> {
  const variants = new Map<string, VariantSummary>();
  const stock = new Map<string, bigint>();
  const calls = { catalog: [] as string[][], inventory: [] as string[][] };
  const callers = new Set<string>();
  const server = createRpcServer({
    service: "peers",
    logger: silent("peers"),
    verifier: createTokenVerifier({ keys: async () => [], serviceSecret: SERVICE_SECRET }),
  });
  server.add(
    CatalogService,
    only(CatalogService, {
      async batchGetVariants(request, ctx) {
        if (ctx.principal?.kind === "service") callers.add(ctx.principal.service);
        calls.catalog.push([...request.skus]);
        return { variants: request.skus.flatMap((sku) => variants.get(sku) ?? []) };
      },
    }),
    serviceOnly(CatalogService),
  );
  server.add(
    InventoryService,
    only(InventoryService, {
      async getAvailability(request, ctx) {
        if (ctx.principal?.kind === "service") callers.add(ctx.principal.service);
        calls.inventory.push([...request.skus]);
        return {
          items: request.skus.map((sku) => {
            const available = stock.get(sku) ?? 0n;
            return { sku, available, inStock: available > 0n };
          }),
        };
      },
    }),
    serviceOnly(InventoryService),
  );
  const port = await server.listen(0, "127.0.0.1");
  return {
    address: `127.0.0.1:${port}`,
    variants,
    stock,
    calls,
    callers,
    put(sku, amountMinor, available = 100n, overrides = {}) {
      variants.set(
        sku,
        create(VariantSummarySchema, {
          sku,
          variantId: `v-${sku}`,
          productId: `p-${sku}`,
          productName: `Product ${sku}`,
          productSlug: `product-${sku.toLowerCase()}`,
          title: "Default",
          price: { amountMinor, currency: "EUR" },
          weightGrams: 300,
          imageUrl: `https://img.example/${sku}.jpg`,
          purchasable: true,
          ...overrides,
        }),
      );
      stock.set(sku, available);
    },
    stop: () => server.shutdown(500),
  };
}

/** Handlers for every RPC of `service`: the given ones, UNIMPLEMENTED for the rest. */
function only<S extends DescService>(service: S, handlers: Partial<ServiceHandlers<S>>): ServiceHandlers<S> {
  const all: Record<string, unknown> = {};
  for (const method of service.methods) {
    all[method.localName] =
      (handlers as Record<string, unknown>)[method.localName] ??
      (async () => {
        throw new RpcError(`${method.name} is not part of this test double`, Code.Unimplemented);
      });
  }
  return all as ServiceHandlers<S>;
}

function serviceOnly<S extends DescService>(service: S): AccessRules<S> {
  return Object.fromEntries(service.methods.map((method) => [method.localName, "service"])) as AccessRules<S>;
}

/** The cart service running in-process on a random port, with its own Redis key prefix. */
export interface TestCart {
  app: CartApp;
  address: string;
  client: RpcClient<typeof CartService>;
  /** The CART_PREFIX of this instance. */
  prefix: string;
  /** The EVENTS_PREFIX of this instance: its stream is <EVENTS_PREFIX>_CART. */
  eventsPrefix: string;
  /** A Redis client without prefix, for looking at keys; pass full keys (`prefix + ...`). */
  redis: Redis;
  /** The keys under this instance's prefix, without the prefix. */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface TestCartOptions {
  peers: TestPeers;
  /** Where identity serves its JWKS; a closed port when the test sends no user tokens. */
  identityAddress?: string;
  env?: Record<string, string>;
}

export async function startCart(options: TestCartOptions): Promise<TestCart> {
  const eventsPrefix = testPrefix();
  const prefix = `${eventsPrefix}:cart:`;
  const config = loadCartConfig({
    EVENTS_PREFIX: eventsPrefix,
    PORT: "0",
    METRICS_PORT: "0",
    CART_PREFIX: prefix,
    IDENTITY_ADDRESS: options.identityAddress ?? "127.0.0.1:1",
    CATALOG_ADDRESS: options.peers.address,
    INVENTORY_ADDRESS: options.peers.address,
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    LOG_LEVEL: "silent",
    ...options.env,
  });
  const app = createCartApp(config, { logger: silent("cart") });
  const port = await app.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(CartService, { address, timeoutMs: 15_000 });
  const redis = createRedis({ url: config.REDIS_URL });

  async function keys(): Promise<string[]> {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      found.push(...batch.map((key) => key.slice(prefix.length)));
    } while (cursor !== "0");
    return found;
  }

  return {
    app,
    address,
    client,
    prefix,
    eventsPrefix,
    redis,
    keys,
    async stop() {
      client.close();
      await app.close(1_000);
      await deleteRedisPrefix(prefix, redis);
      redis.disconnect();
      await deleteStreams(eventsPrefix).catch(() => undefined);
    },
  };
}

/**
 * The real identity service in a child process (`node services/identity/src/main.ts`), on its
 * own test database and event prefix: the cart verifies users' tokens with its JWKS.
 */
export interface TestIdentity {
  address: string;
  client: RpcClient<typeof IdentityService>;
  /** Registers an account and signs it in. */
  signUp(email: string): Promise<SignedIn>;
  stop(): Promise<void>;
}

export interface SignedIn {
  userId: string;
  /** Call options carrying the access token. */
  auth: CallOptions;
}

const IDENTITY_MAIN = fileURLToPath(new URL("../../identity/src/main.ts", import.meta.url));

export async function startIdentity(): Promise<TestIdentity> {
  const database = await createTestDatabase();
  const prefix = testPrefix();
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  };
  for (const name of ["SHOPMESH_ADMIN_EMAIL", "SHOPMESH_ADMIN_PASSWORD", "SECRETS_KEY", "DB_SCHEMA"]) {
    delete env[name];
  }
  const child = spawn(process.execPath, [IDENTITY_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
  const cleanup = async () => {
    await stopChild(child);
    await deleteStreams(prefix).catch(() => undefined);
    await database.drop();
  };
  let port: number;
  try {
    port = await servingPort(child, "identity serving");
  } catch (error) {
    await cleanup();
    throw error;
  }
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(IdentityService, { address, timeoutMs: 15_000 });
  return {
    address,
    client,
    async signUp(email) {
      const { user } = await client.register({ email, password: PASSWORD, displayName: "" });
      const { tokens } = await client.login({ email, password: PASSWORD });
      return { userId: user!.id, auth: { call: { authorization: `Bearer ${tokens!.accessToken}` } } };
    },
    async stop() {
      client.close();
      await cleanup();
    },
  };
}

/** Waits for the JSON log line `message` of a service process and returns its `port`. */
function servingPort(child: ChildProcess, message: string, timeoutMs = 45_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let errors = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-4_000);
    });
    const timer = setTimeout(
      () => reject(new Error(`no "${message}" within ${timeoutMs} ms: ${errors}`)),
      timeoutMs,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === message && typeof entry.port === "number") {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the process exited (${code}) before "${message}": ${errors}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";
export { Code };
