import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { createLogger } from "@shopmesh/kit/log";
import { createTestDatabase, deleteRedisPrefix, deleteStreams, testPrefix } from "@shopmesh/kit/testing";
import { createApp } from "../../src/app.ts";
import { createBff } from "../../src/compose.ts";
import { loadBffConfig } from "../../src/config.ts";
import type { BffDeps } from "../../src/deps.ts";
import type { RunningCheckout } from "./checkout.ts";
import { startTestIdentity } from "./identity.ts";
import { type RunningShop, startTestShop } from "./shop.ts";

export const ADMIN_EMAIL = "admin@e2e.test";
export const ADMIN_PASSWORD = "e2e-admin-password-1";

export interface PlatformOptions {
  /** Variables for the BFF over the test defaults. */
  env?: Record<string, string>;
  /** Also run catalog, inventory and cart (for routes that need them). */
  shop?: boolean;
  /** Also run payment, shipping and order (and the shop, which checkout needs). */
  checkout?: boolean;
}

type Request = (path: string, init?: RequestInit & { json?: unknown; token?: string }) => Promise<Response>;

export interface Platform {
  /** Catalog, inventory and cart when started with `shop: true`. */
  shop?: RunningShop;
  /** Payment, shipping and order when started with `checkout: true`. */
  checkout?: RunningCheckout;
  /** Sends a request to the BFF (in process, through the whole middleware stack). */
  request: Request;
  /**
   * The same, to a BFF built from the same dependencies but these, e.g. a client of a service
   * that is down: `platform.requestWith({ payment: deadClient })("/admin/v1/orders/…")`.
   */
  requestWith(overrides: Partial<BffDeps>): Request;
  /** The events identity recorded in its outbox, of one type, oldest first. */
  events<D extends DescMessage>(schema: D): Promise<MessageShape<D>[]>;
  stop(): Promise<void>;
}

/**
 * A real identity service (own database, own event prefix, in process on a free port) behind a
 * real BFF (own Redis key prefix) — the platform as clients see it, isolated for one test file.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const env = options.env ?? {};
  const database = await createTestDatabase();
  const prefix = testPrefix();
  const identity = await startTestIdentity({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    SHOPMESH_ADMIN_EMAIL: ADMIN_EMAIL,
    SHOPMESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  const shop =
    options.shop || options.checkout
      ? await startTestShop({ databaseUrl: database.url, prefix, identityAddress: identity.address })
      : undefined;
  const checkout =
    shop && options.checkout
      ? // Loaded only here: the other end-to-end tests need none of the checkout services.
        await (await import("./checkout.ts")).startTestCheckout({
          databaseUrl: database.url,
          prefix,
          identityAddress: identity.address,
          shop,
        })
      : undefined;
  const config = loadBffConfig({
    IDENTITY_ADDRESS: identity.address,
    ...(shop
      ? {
          CART_ADDRESS: shop.cartAddress,
          CATALOG_ADDRESS: shop.catalogAddress,
          INVENTORY_ADDRESS: shop.inventoryAddress,
        }
      : {}),
    ...(checkout
      ? {
          ORDER_ADDRESS: checkout.orderAddress,
          PAYMENT_ADDRESS: checkout.paymentAddress,
          SHIPPING_ADDRESS: checkout.shippingAddress,
        }
      : {}),
    RATE_LIMIT_PREFIX: `${prefix}:rl:`,
    PORT: "0",
    // Tests sign in far more often than a person; the rate-limit test sets its own limit.
    RATE_LIMIT_AUTH_LIMIT: "10000",
    RATE_LIMIT_LIMIT: "10000",
    ...env,
  });
  const bff = createBff(config, createLogger({ service: "bff", level: "silent" }));
  await bff.ready();

  const requester =
    (app: ReturnType<typeof createApp>): Request =>
    async (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (init.json !== undefined) headers.set("content-type", "application/json");
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
      return app.request(path, { ...init, headers, body });
    };

  return {
    ...(shop ? { shop } : {}),
    ...(checkout ? { checkout } : {}),
    request: requester(bff.app),
    requestWith: (overrides) => requester(createApp({ ...bff.deps, ...overrides })),
    async events(schema) {
      const rows = await identity.db.execute<{ data: Uint8Array }>(
        "select data from identity.outbox_events where type = ? order by id",
        [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data));
    },
    async stop() {
      await bff.close();
      await checkout?.close();
      await shop?.close();
      await identity.close();
      // bff.close() disconnected its own client: the rate-limit counters go through another.
      await deleteRedisPrefix(`${prefix}:`);
      await deleteStreams(prefix);
      await database.drop();
    },
  };
}
