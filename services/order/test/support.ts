import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type DescMessage, fromBinary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { CatalogService, ProductState } from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import {
  AdjustmentReason,
  InventoryService,
  type StockLevel,
} from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import {
  type Order,
  type OrderService,
  OrderService as OrderServiceDesc,
  type PlaceOrderRequestSchema,
} from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { ShippingMethod, ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { createTokenVerifier, type RoleName } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import {
  type AccessRules,
  type CallOptions,
  Code,
  createRpcClient,
  createRpcServer,
  type RpcClient,
  type RpcError,
  type ServiceHandlers,
} from "@shopmesh/kit/rpc";
import {
  bearer,
  createTestDatabase,
  deleteRedisPrefix,
  deleteStreams,
  type TestDatabase,
  testPrefix,
} from "@shopmesh/kit/testing";
import { createCartApp } from "../../cart/src/app.ts";
import { loadCartConfig } from "../../cart/src/config.ts";
import { createCatalog } from "../../catalog/src/app.ts";
import { loadCatalogConfig } from "../../catalog/src/config.ts";
import { createInventory } from "../../inventory/src/app.ts";
import { loadInventoryConfig } from "../../inventory/src/config.ts";
import { startTestPayment, type TestPayment } from "../../payment/test/support.ts";
import { startTestShipping, type TestShipping } from "../../shipping/test/support.ts";
import { createOrder, type OrderApp } from "../src/app.ts";
import { loadOrderConfig } from "../src/config.ts";
import { createTestKeys, publicRules, startJwksServer } from "./tokens.ts";

/**
 * The checkout platform in one process, for the order service's tests (and the BFF's, which may
 * reuse it): real catalog, inventory, cart, payment, shipping and order services on ONE test
 * database (each in its own schema) and ONE event prefix, without identity. Access tokens are
 * signed with a local Ed25519 key; its JWKS is served by a stand-in of identity's GetJwks (the
 * cart and a spawned order process fetch keys from IDENTITY_ADDRESS) and handed directly to the
 * services that take keys as an option.
 *
 *   const t = await startTestCheckout();
 *   await t.product("TEE", { priceMinor: 1999n, stock: 5 });
 *   const ann = await t.customer();
 *   await t.fill(ann, [["TEE", 2]]);
 *   const order = await t.place(ann);          // CONFIRMED
 *   await t.stop();
 *
 * Saga timings are shortened (TEST_ORDER_ENV) so failure paths finish within a test.
 */

export const SERVICE_SECRET = "order-test-service-token-secret";

/** A PlaceOrder request as the client takes it. */
export type PlaceOrderInit = MessageInitShape<typeof PlaceOrderRequestSchema>;

/** Fast saga timings for tests; a test may override any of them. */
export const TEST_ORDER_ENV: Record<string, string> = {
  PEER_TIMEOUT_MS: "2000",
  PLACE_ORDER_WAIT_MS: "15000",
  SAGA_STEP_MAX_ATTEMPTS: "3",
  SAGA_STEP_BUDGET_MS: "6000",
  SAGA_RETRY_BASE_MS: "50",
  SAGA_RETRY_MAX_MS: "300",
  SAGA_COMPENSATION_RETRY_MAX_MS: "500",
  SAGA_LEASE_MS: "5000",
  RECOVERY_INTERVAL_MS: "200",
  PAYMENT_POLL_MS: "200",
  PAYMENT_CONFIRMATION_TIMEOUT_MS: "60000",
};

/** A signed-in customer: their user id and call options carrying their token. */
export interface TestCustomer {
  userId: string;
  auth: CallOptions;
}

/** An order service of the platform: in process, with a client. */
export interface RunningOrder {
  app: OrderApp;
  address: string;
  client: RpcClient<typeof OrderService>;
  stop(): Promise<void>;
}

export interface TestCheckout {
  databaseUrl: string;
  prefix: string;
  /** IDENTITY_ADDRESS: the JWKS stand-in. */
  identityAddress: string;
  catalogAddress: string;
  inventoryAddress: string;
  cartAddress: string;
  payment: TestPayment;
  shipping: TestShipping;
  /** The in-process order service (undefined with `order: false`). */
  order: RunningOrder | undefined;
  /** The order client of `order`. */
  client: RpcClient<typeof OrderService>;
  inventory: RpcClient<typeof InventoryService>;
  cart: RpcClient<typeof CartService>;
  /** Staff call options: an admin (every permission) and support (orders.read). */
  admin: CallOptions;
  support: CallOptions;
  adminId: string;
  /** The warehouse seeded stock goes to. */
  warehouseId: string;
  /** Signs an access token trusted by every service. */
  sign(userId: string, roles: RoleName[]): Promise<string>;
  /** A new customer with a token. */
  customer(): Promise<TestCustomer>;
  /** An ACTIVE product with one variant `sku` at `priceMinor` EUR, and `stock` units in the warehouse. */
  product(sku: string, options: { priceMinor: bigint; stock: number; weightGrams?: number }): Promise<void>;
  /** Empties the customer's cart and puts these SKUs and quantities in it. */
  fill(customer: TestCustomer, items: readonly [string, number][]): Promise<void>;
  /** A PlaceOrder request: DE address, standard shipping, tok_sandbox_visa and a fresh key unless given. */
  request(overrides?: PlaceOrderInit): PlaceOrderInit;
  /** PlaceOrder as the customer (through `client`, or `through`). */
  place(
    customer: TestCustomer,
    overrides?: PlaceOrderInit,
    through?: RpcClient<typeof OrderService>,
  ): Promise<Order>;
  /** Stock of a SKU over all warehouses. */
  stock(sku: string): Promise<{ onHand: bigint; reserved: bigint; available: bigint }>;
  /** Events in the order service's outbox of one schema, optionally about one order, oldest first. */
  events<S extends DescMessage>(schema: S, orderId?: string): Promise<MessageShape<S>[]>;
  /**
   * The environment of an order service on this platform (a spawned `node services/order/src/main.ts`
   * or another in-process one): database, prefix, peers, secret, JWKS source, fast timings.
   */
  orderEnv(extra?: Record<string, string>): Record<string, string>;
  /** Starts another order service in process with `env` over orderEnv() (use its own DB_SCHEMA). */
  startOrder(env?: Record<string, string>): Promise<RunningOrder>;
  stop(): Promise<void>;
}

export interface StartTestCheckoutOptions {
  /** Start the in-process order service; default true. */
  order?: boolean;
  /** Variables of the in-process order service over orderEnv(). */
  orderEnv?: Record<string, string>;
}

const silent = (service: string) => createLogger({ service, level: "silent" });
let products = 0;

/** Starts the checkout platform of TestCheckout; call stop() in afterAll. */
export async function startTestCheckout(options: StartTestCheckoutOptions = {}): Promise<TestCheckout> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const keys = await createTestKeys();
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    // After every service stopped: the cart's carts and the catalog's cache generation, which a
    // running service could write again.
    await deleteRedisPrefix(`${prefix}:`).catch(() => undefined);
    await deleteStreams(prefix).catch(() => undefined);
    await database.drop();
  };
  try {
    const identity = await startJwksServer(keys.jwks);
    stops.push(() => identity.stop());
    const identityAddress = identity.address;
    const common = {
      DATABASE_URL: database.url,
      EVENTS_PREFIX: prefix,
      IDENTITY_ADDRESS: identityAddress,
      SERVICE_TOKEN_SECRET: SERVICE_SECRET,
      PORT: "0",
      METRICS_PORT: "0",
      LOG_LEVEL: "silent",
    };
    const jwks = async () => keys.jwks;

    const catalog = await createCatalog(
      loadCatalogConfig({ ...common, CACHE_PREFIX: `${prefix}:catalog:` }),
      {
        logger: silent("catalog"),
        keys: jwks,
      },
    );
    stops.push(() => catalog.close(200));
    const catalogAddress = `127.0.0.1:${await catalog.listen(0, "127.0.0.1")}`;

    const inventoryApp = await createInventory(loadInventoryConfig(common), {
      logger: silent("inventory"),
      jwks,
    });
    stops.push(() => inventoryApp.close(200));
    const inventoryAddress = `127.0.0.1:${await inventoryApp.listen(0, "127.0.0.1")}`;

    const cartApp = createCartApp(
      loadCartConfig({
        ...common,
        CATALOG_ADDRESS: catalogAddress,
        INVENTORY_ADDRESS: inventoryAddress,
        CART_PREFIX: `${prefix}:cart:`,
      }),
      { logger: silent("cart") },
    );
    stops.push(async () => {
      await cartApp.close(200);
    });
    const cartAddress = `127.0.0.1:${await cartApp.listen(0, "127.0.0.1")}`;

    const payment = await startTestPayment({
      databaseUrl: database.url,
      prefix,
      serviceTokenSecret: SERVICE_SECRET,
      keys: { jwks, sign: keys.sign },
    });
    stops.push(() => payment.stop());
    const shipping = await startTestShipping({
      databaseUrl: database.url,
      prefix,
      serviceSecret: SERVICE_SECRET,
      jwks,
    });
    stops.push(() => shipping.stop());

    const adminId = "0190a000-0000-7000-8000-0000000ad001";
    const admin = bearer(await keys.sign(adminId, ["admin"]));
    const support = bearer(await keys.sign("0190a000-0000-7000-8000-0000000ad002", ["support"]));
    const catalogClient = createRpcClient(CatalogService, { address: catalogAddress, timeoutMs: 20_000 });
    const inventory = createRpcClient(InventoryService, { address: inventoryAddress, timeoutMs: 20_000 });
    const cart = createRpcClient(CartService, { address: cartAddress, timeoutMs: 20_000 });
    stops.push(async () => {
      catalogClient.close();
      inventory.close();
      cart.close();
    });
    const { warehouse } = await inventory.createWarehouse(
      {
        warehouse: {
          code: "ORDER-TEST",
          name: "Order test warehouse",
          priority: 1,
          active: true,
          address: {
            recipient: "Shop",
            line1: "Dock 1",
            city: "Hamburg",
            postalCode: "20457",
            countryCode: "DE",
          },
        },
      },
      admin,
    );
    const warehouseId = warehouse!.id;

    const orderEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
      ...common,
      CART_ADDRESS: cartAddress,
      INVENTORY_ADDRESS: inventoryAddress,
      PAYMENT_ADDRESS: payment.address,
      SHIPPING_ADDRESS: shipping.address,
      ...TEST_ORDER_ENV,
      ...extra,
    });
    const startOrder = async (env: Record<string, string> = {}): Promise<RunningOrder> => {
      const app = await createOrder(loadOrderConfig(orderEnv(env)), { logger: silent("order"), jwks });
      const address = `127.0.0.1:${await app.listen(0, "127.0.0.1")}`;
      const client = createRpcClient(OrderServiceDesc, { address, timeoutMs: 60_000 });
      return {
        app,
        address,
        client,
        async stop() {
          client.close();
          await app.close(500);
        },
      };
    };
    const order = options.order === false ? undefined : await startOrder(options.orderEnv);
    if (order) stops.push(() => order.stop());
    const client = order?.client ?? createRpcClient(OrderServiceDesc, { address: "127.0.0.1:1" });

    const request = (overrides: PlaceOrderInit = {}): PlaceOrderInit =>
      ({
        idempotencyKey: `key-${crypto.randomUUID()}`,
        shippingAddress: {
          recipient: "Ann Example",
          line1: "Hauptstraße 1",
          line2: "",
          city: "Berlin",
          region: "",
          postalCode: "10115",
          countryCode: "DE",
          phone: "",
        },
        shippingMethod: ShippingMethod.STANDARD,
        paymentToken: "tok_sandbox_visa",
        ...(overrides as object),
      }) as PlaceOrderInit;

    return {
      databaseUrl: database.url,
      prefix,
      identityAddress,
      catalogAddress,
      inventoryAddress,
      cartAddress,
      payment,
      shipping,
      order,
      client,
      inventory,
      cart,
      admin,
      support,
      adminId,
      warehouseId,
      sign: keys.sign,
      async customer() {
        const userId = crypto.randomUUID();
        return { userId, auth: bearer(await keys.sign(userId, ["customer"])) };
      },
      async product(sku, { priceMinor, stock, weightGrams = 500 }) {
        products++;
        await catalogClient.createProduct(
          {
            product: {
              slug: `order-test-${products}-${sku.toLowerCase()}`,
              name: `Product ${sku}`,
              state: ProductState.ACTIVE,
              variants: [
                { sku, title: "One size", price: { amountMinor: priceMinor, currency: "EUR" }, weightGrams },
              ],
            },
          },
          admin,
        );
        if (stock > 0) {
          await inventory.adjustStock(
            {
              sku,
              warehouseId,
              reason: AdjustmentReason.RECEIVED,
              change: { case: "delta", value: BigInt(stock) },
            },
            admin,
          );
        }
      },
      async fill(customer, items) {
        await cart.clearCart({}, customer.auth);
        for (const [sku, quantity] of items) await cart.addItem({ sku, quantity }, customer.auth);
      },
      request,
      async place(customer, overrides = {}, through = client) {
        const { order: placed } = await through.placeOrder(request(overrides), customer.auth);
        return placed!;
      },
      async stock(sku) {
        const { stockLevels } = await inventory.listStockLevels({ sku }, admin);
        return stockLevels.reduce(
          (sum: { onHand: bigint; reserved: bigint; available: bigint }, level: StockLevel) => ({
            onHand: sum.onHand + level.onHand,
            reserved: sum.reserved + level.reserved,
            available: sum.available + level.available,
          }),
          { onHand: 0n, reserved: 0n, available: 0n },
        );
      },
      async events(schema, orderId) {
        if (!order) throw new Error("no in-process order service");
        const rows = await order.app.db.execute<{ data: Uint8Array }>(
          `select data from outbox_events where type = ?${orderId ? " and aggregate_id = ?" : ""} order by id`,
          orderId ? [schema.typeName, orderId] : [schema.typeName],
        );
        return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
      },
      orderEnv,
      startOrder,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";
export { Code };

/**
 * A stand-in for shipping that passes every call on to the real shipping service (as the service
 * "order") except those named in `faults` while they return an error: the failure points
 * the real simulated carrier never produces on demand (a carrier refusing a shipment after the
 * payment was authorised).
 */
export async function startFaultyShipping(
  real: TestShipping,
  faults: Partial<Record<keyof ServiceHandlers<typeof ShippingService>, () => RpcError | undefined>>,
): Promise<{ address: string; calls: Map<string, number>; stop(): Promise<void> }> {
  const server = createRpcServer({
    service: "faulty-shipping",
    logger: silent("faulty-shipping"),
    verifier: createTokenVerifier({ keys: async () => [], serviceSecret: SERVICE_SECRET }),
  });
  const calls = new Map<string, number>();
  const handlers: Record<string, unknown> = {};
  const upstream = real.order as unknown as Record<string, (request: unknown) => Promise<unknown>>;
  for (const method of ShippingService.methods) {
    const fault = faults[method.localName as keyof typeof faults];
    handlers[method.localName] = async (request: unknown) => {
      calls.set(method.localName, (calls.get(method.localName) ?? 0) + 1);
      const error = fault?.();
      if (error) throw error;
      return upstream[method.localName]!(request);
    };
  }
  server.add(
    ShippingService,
    handlers as ServiceHandlers<typeof ShippingService>,
    publicRules(ShippingService) as AccessRules<typeof ShippingService>,
  );
  const port = await server.listen(0, "127.0.0.1");
  return { address: `127.0.0.1:${port}`, calls, stop: () => server.shutdown(200) };
}

/** A TCP server that accepts connections and never answers: calls to it run into their deadline. */
export async function startBlackHole(): Promise<{ address: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const ORDER_MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** An order service in a child process (`node services/order/src/main.ts`), to be killed for real. */
export interface OrderProcess {
  address: string;
  client: RpcClient<typeof OrderService>;
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the first log line (so far or to come) that `match` accepts. */
  waitForLog(
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Kills the process with `signal` (SIGKILL: no shutdown at all) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns the order service with `env` (e.g. TestCheckout.orderEnv(...)) and waits until it serves. */
export async function spawnOrder(env: Record<string, string>): Promise<OrderProcess> {
  const child = spawn(process.execPath, [ORDER_MAIN], {
    // Info logs are how the test sees the process serve and pause.
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", METRICS_PORT: "0", ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (entry: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }>();
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4_000);
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    logs.push(entry);
    for (const waiter of waiters) {
      if (waiter.match(entry)) {
        waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitForLog = (match: (entry: Record<string, unknown>) => boolean, timeoutMs = 30_000) => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const waiter = { match, resolve };
      waiters.add(waiter);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms: ${errors}`));
      }, timeoutMs);
      void exited.then(() => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(new Error(`the order process exited (${child.exitCode ?? child.signalCode}): ${errors}`));
      });
      const done = waiter.resolve;
      waiter.resolve = (entry) => {
        clearTimeout(timer);
        done(entry);
      };
    });
  };
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    const serving = await waitForLog((entry) => entry.msg === "order serving", 45_000);
    const address = `127.0.0.1:${serving.port as number}`;
    const client = createRpcClient(OrderServiceDesc, { address, timeoutMs: 60_000 });
    return {
      address,
      client,
      child,
      logs,
      waitForLog,
      async kill(signal) {
        client.close();
        await kill(signal);
      },
    };
  } catch (error) {
    await kill();
    throw error;
  }
}
