import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import type { Address } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import { ShippingMethod, ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import {
  createServiceToken,
  type RoleName,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type TokenVerifierOptions,
} from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  bearer,
  createTestDatabase,
  deleteStreams,
  type TestDatabase,
  testPrefix,
} from "@shopmesh/kit/testing";
import { signWebhook } from "@shopmesh/kit/webhooks";
import { createShipping, type Shipping } from "../src/app.ts";
import { loadShippingConfig } from "../src/config.ts";

/** The service-token secret the test service trusts unless told another. */
export const SERVICE_SECRET = "shipping-test-service-secret";
/** The simulated carrier's webhook secret in tests unless told another. */
export const WEBHOOK_SECRET = "shipping-test-webhook-secret";

type Jwks = Awaited<ReturnType<TokenVerifierOptions["keys"]>>;

/**
 * A shipping service running in-process on a random port, on its own database (or the caller's)
 * and stream prefix. The order service's and the BFF's tests start it too: keep this stable.
 */
export interface TestShipping {
  shipping: Shipping;
  /** host:port of its gRPC server. */
  address: string;
  /** Its EVENTS_PREFIX. */
  prefix: string;
  /** Calls without a token (public calls). */
  client: RpcClient<typeof ShippingService>;
  /** Calls as the service "order" (service token), as the checkout saga does. */
  order: RpcClient<typeof ShippingService>;
  /** Call options of signed-in users: an admin (orders.write), support (orders.read), a customer. */
  admin: CallOptions;
  support: CallOptions;
  customer: CallOptions;
  /** The simulated carrier's webhook secret (SIMCARRIER_WEBHOOK_SECRET). */
  webhookSecret: string;
  /** The signature header value of `payload` with the webhook secret, at `timestamp` (default now). */
  sign(payload: string | Uint8Array, timestamp?: number): string;
  /** One step of the simulated carrier (also when its loop is off): resolves with how many parcels moved. */
  tick(now?: Date): Promise<number>;
  /** Events in the outbox of one schema, optionally about one aggregate (order id), oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  stop(): Promise<void>;
}

export interface StartShippingOptions {
  /** The database to migrate the shipping schema into; default a new test database (dropped by stop). */
  databaseUrl?: string;
  /** EVENTS_PREFIX; default a new test prefix (its streams deleted by stop). */
  prefix?: string;
  /** SERVICE_TOKEN_SECRET; default SERVICE_SECRET. */
  serviceSecret?: string;
  /** More keys to trust for access tokens (a real identity's JWKS), besides the test key. */
  jwks?: () => Promise<Jwks>;
  /** SIMCARRIER_STEP_MS; default 0: the carrier's loop is off, tests call tick(). */
  stepMs?: number;
  /** SIMCARRIER_WEBHOOK_SECRET; default WEBHOOK_SECRET. */
  webhookSecret?: string;
  /** Any other variables, over the test defaults (SHOP_COUNTRY, SHOP_CURRENCY...). */
  env?: Record<string, string>;
}

/** Starts shipping for a test file; call stop() in afterAll. */
export async function startTestShipping(options: StartShippingOptions = {}): Promise<TestShipping> {
  const database: TestDatabase | undefined = options.databaseUrl ? undefined : await createTestDatabase();
  const prefix = options.prefix ?? testPrefix();
  const serviceSecret = options.serviceSecret ?? SERVICE_SECRET;
  const webhookSecret = options.webhookSecret ?? WEBHOOK_SECRET;
  const keys = createTestKeys();
  const config = loadShippingConfig({
    DATABASE_URL: options.databaseUrl ?? database?.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: serviceSecret,
    SIMCARRIER_WEBHOOK_SECRET: webhookSecret,
    SIMCARRIER_STEP_MS: String(options.stepMs ?? 0),
    // Nothing listens here: every token is checked against the keys below.
    IDENTITY_ADDRESS: "127.0.0.1:1",
    ...options.env,
  });
  const outside = options.jwks;
  let shipping: Shipping;
  try {
    shipping = await createShipping(config, {
      logger: createLogger({ service: "shipping", level: "silent" }),
      jwks: async () => [...keys.jwks, ...(outside ? await outside() : [])],
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const port = await shipping.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(ShippingService, { address, timeoutMs: 20_000 });
  const order = createRpcClient(ShippingService, {
    address,
    timeoutMs: 20_000,
    serviceToken: createServiceToken({ service: "order", secret: serviceSecret }),
  });

  return {
    shipping,
    address,
    prefix,
    client,
    order,
    admin: bearer(keys.sign("0190a000-0000-7000-8000-00000000b001", ["admin"])),
    support: bearer(keys.sign("0190a000-0000-7000-8000-00000000b002", ["support"])),
    customer: bearer(keys.sign("0190a000-0000-7000-8000-00000000b003", ["customer"])),
    webhookSecret,
    sign: (payload, timestamp) => signWebhook(webhookSecret, payload, timestamp),
    tick: (now) => shipping.carrier.tick(now),
    async events(schema, aggregateId) {
      const rows = await shipping.db.execute<{ data: Uint8Array }>(
        `select data from outbox_events where type = ?${aggregateId ? " and aggregate_id = ?" : ""} order by id`,
        aggregateId ? [schema.typeName, aggregateId] : [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
    },
    async stop() {
      client.close();
      order.close();
      await shipping.close(1_000);
      if (!options.prefix) await deleteStreams(prefix).catch(() => undefined);
      await database?.drop();
    },
  };
}

/**
 * A real Ed25519 key standing in for identity's: its JWKS is what the service trusts. Tokens are
 * signed with node:crypto (a compact JWS is three base64url parts), as identity's would be.
 */
function createTestKeys(kid = "shipping-test-key") {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwks = [{ ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" }] as Jwks;
  return {
    jwks,
    sign: (userId: string, roles: RoleName[]) => signJwt(privateKey, kid, userId, roles),
  };
}

function signJwt(key: KeyObject, kid: string, userId: string, roles: RoleName[]): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "EdDSA", kid })}.${part({
    sub: userId,
    sid: "0190a000-0000-7000-8000-0000000005e5",
    roles,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat: now,
    exp: now + 3600,
  })}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";

/** A fresh UUID for an order id. */
export function orderId(): string {
  return crypto.randomUUID();
}

/** What shipmentRequest makes: a CreateShipment request. */
export interface ShipmentRequest {
  orderId: string;
  method: ShippingMethod;
  address: Partial<Omit<Address, "$typeName">>;
  items: { sku: string; quantity: number; weightGrams: number }[];
}

/** A CreateShipment request for a new order: two T-shirts to Berlin by standard shipping. */
export function shipmentRequest(overrides: Partial<ShipmentRequest> = {}): ShipmentRequest {
  return {
    orderId: orderId(),
    method: ShippingMethod.STANDARD,
    address: {
      recipient: "Ada Lovelace",
      line1: "Invalidenstraße 1",
      city: "Berlin",
      postalCode: "10115",
      countryCode: "DE",
    },
    items: [{ sku: "TEE-BLK-M", quantity: 2, weightGrams: 250 }],
    ...overrides,
  };
}

export { Code };
