import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { type PaymentIntent, PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { createServiceToken, type RoleName } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  createTestDatabase,
  createTestSigningKeys,
  deleteStreams,
  type TestDatabase,
  testPrefix,
} from "@shopmesh/kit/testing";
import { signWebhook } from "@shopmesh/kit/webhooks";
import type { JWK } from "jose";
import { createPayment, type Payment } from "../src/app.ts";
import { loadPaymentConfig } from "../src/config.ts";

/**
 * An in-process payment service for tests: this package's own, and other packages' (the order
 * service's saga tests, the BFF's end-to-end tests) that need a real payment service.
 *
 *   const t = await startTestPayment();
 *   const { paymentIntent } = await t.order.authorizePayment({ idempotencyKey: "k", orderId: orderId(),
 *     amount: { amountMinor: 1000n, currency: "EUR" }, paymentToken: "tok_sandbox_visa" });
 *   await t.webhook({ type: "payment.succeeded", reference: "pi_sbx_…" });
 *   await t.stop();
 *
 * Keep this surface stable: other packages import it.
 */

/** The default shared secret of service tokens between the test clients and the service. */
export const SERVICE_SECRET = "payment-test-service-secret";

/** Signs access tokens that the service's JWKS trusts. */
export interface TestSigner {
  jwks: () => Promise<JWK[]>;
  sign(userId: string, roles: RoleName[]): Promise<string>;
}

export interface StartTestPaymentOptions {
  /** Use this database (left in place at stop); default: a fresh test database, dropped at stop. */
  databaseUrl?: string;
  /** EVENTS_PREFIX; default: a fresh test prefix, whose streams are deleted at stop. */
  prefix?: string;
  /** SERVICE_TOKEN_SECRET; default SERVICE_SECRET. The `order` client signs with it. */
  serviceTokenSecret?: string;
  /**
   * The keys that sign and verify access tokens (e.g. the BFF tests' keys). Default: a local
   * Ed25519 key, unless `identityAddress` is given.
   */
  keys?: TestSigner;
  /**
   * A running identity service whose JWKS verifies tokens (IDENTITY_ADDRESS). Without `keys`,
   * `admin`, `support` and `customer` then carry no token: sign in through identity instead.
   */
  identityAddress?: string;
  /** Any other configuration variable: SANDBOX_WEBHOOK_URL, SANDBOX_CONFIRM_DELAY_MS... */
  env?: Record<string, string>;
  /** The sweeper's interval; default 60 s (tests sweep by hand with payment.sweeper.sweep(now)). */
  sweepMs?: number;
  /** PAYMENT_CONFIRMATION_TIMEOUT_MS; default the service's (10 min). */
  confirmationTimeoutMs?: number;
}

/** Fields of an AuthorizePayment request for TestPayment.authorize; the rest get defaults. */
export interface AuthorizeInit {
  idempotencyKey?: string;
  orderId?: string;
  customerId?: string;
  amount?: { amountMinor: bigint; currency: string };
  paymentToken?: string;
  provider?: string;
}

/** A webhook event as the sandbox sends it; `id` defaults to a fresh one, `created` to now. */
export interface TestWebhookEvent {
  id?: string;
  type: string;
  reference?: string;
  failureCode?: string;
  created?: number;
}

export interface SignOptions {
  /** Unix seconds of the signature; default now. */
  timestamp?: number;
  /** Default: the service's sandbox webhook secret. */
  secret?: string;
}

/** A payment service running in-process on a random port, with clients for every kind of caller. */
export interface TestPayment {
  payment: Payment;
  /** host:port of its gRPC server. */
  address: string;
  /** Its EVENTS_PREFIX: stream <PREFIX>_PAYMENT. */
  prefix: string;
  /** Calls without a token (HandleProviderWebhook, or to see refusals). */
  client: RpcClient<typeof PaymentService>;
  /** Calls as the service "order" (service token), as the checkout saga does. */
  order: RpcClient<typeof PaymentService>;
  /** Call options of signed-in users: an admin (payments.refund, orders.read), support (orders.read), a customer. */
  admin: CallOptions;
  support: CallOptions;
  customer: CallOptions;
  /** The sandbox's webhook secret: sign your own webhooks with it (or use `webhook`). */
  webhookSecret: string;
  /** Authorises as the order service: 10.00 EUR with tok_sandbox_visa and a fresh key and order, unless given. */
  authorize(init?: AuthorizeInit): Promise<PaymentIntent>;
  /** The body and signature header of a sandbox webhook event, signed like the sandbox does. */
  signedWebhook(event: TestWebhookEvent, options?: SignOptions): { payload: Uint8Array; signature: string };
  /** Sends a signed sandbox webhook event through HandleProviderWebhook, as the BFF would. */
  webhook(event: TestWebhookEvent, options?: SignOptions): Promise<{ duplicate: boolean }>;
  /** Events in the outbox of one schema, optionally about one payment intent, oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  /** Closes the clients and the service; drops what it created (database, streams). */
  stop(): Promise<void>;
}

let events = 0;

/** Starts a payment service for tests (see TestPayment). */
export async function startTestPayment(options: StartTestPaymentOptions = {}): Promise<TestPayment> {
  const database: TestDatabase | undefined = options.databaseUrl ? undefined : await createTestDatabase();
  const prefix = options.prefix ?? testPrefix();
  const serviceSecret = options.serviceTokenSecret ?? SERVICE_SECRET;
  const keys = options.keys ?? (options.identityAddress ? undefined : await createTestKeys());
  const config = loadPaymentConfig({
    DATABASE_URL: options.databaseUrl ?? database?.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: serviceSecret,
    PAYMENT_SWEEP_MS: String(options.sweepMs ?? 60_000),
    ...(options.confirmationTimeoutMs
      ? { PAYMENT_CONFIRMATION_TIMEOUT_MS: String(options.confirmationTimeoutMs) }
      : {}),
    ...(options.identityAddress ? { IDENTITY_ADDRESS: options.identityAddress } : {}),
    ...options.env,
  });
  let payment: Payment;
  try {
    payment = await createPayment(config, {
      logger: createLogger({ service: "payment", level: "silent" }),
      ...(keys ? { jwks: keys.jwks } : {}),
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const port = await payment.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(PaymentService, { address, timeoutMs: 20_000 });
  const order = createRpcClient(PaymentService, {
    address,
    timeoutMs: 20_000,
    serviceToken: createServiceToken({ service: "order", secret: serviceSecret }),
  });
  const as = async (userId: string, roles: RoleName[]): Promise<CallOptions> =>
    keys ? { call: { authorization: `Bearer ${await keys.sign(userId, roles)}` } } : {};
  const webhookSecret = config.SANDBOX_WEBHOOK_SECRET;

  const signedWebhook = (event: TestWebhookEvent, sign: SignOptions = {}) => {
    const created = event.created ?? Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: event.id ?? `evt_test_${++events}_${crypto.randomUUID()}`,
      type: event.type,
      data: {
        ...(event.reference !== undefined ? { reference: event.reference } : {}),
        ...(event.failureCode !== undefined ? { failure_code: event.failureCode } : {}),
      },
      created,
    });
    return {
      payload: new TextEncoder().encode(body),
      signature: signWebhook(
        sign.secret ?? webhookSecret,
        body,
        sign.timestamp ?? Math.floor(Date.now() / 1000),
      ),
    };
  };

  return {
    payment,
    address,
    prefix,
    client,
    order,
    admin: await as("0190a000-0000-7000-8000-00000000b001", ["admin"]),
    support: await as("0190a000-0000-7000-8000-00000000b002", ["support"]),
    customer: await as("0190a000-0000-7000-8000-00000000b003", ["customer"]),
    webhookSecret,
    async authorize(init = {}) {
      const { paymentIntent } = await order.authorizePayment({
        idempotencyKey: crypto.randomUUID(),
        orderId: orderId(),
        amount: { amountMinor: 1_000n, currency: "EUR" },
        paymentToken: "tok_sandbox_visa",
        ...init,
      });
      return paymentIntent!;
    },
    signedWebhook,
    webhook(event, sign) {
      return client.handleProviderWebhook({ provider: "sandbox", ...signedWebhook(event, sign) });
    },
    async events(schema, aggregateId) {
      const rows = await payment.db.execute<{ data: Uint8Array }>(
        `select data from outbox_events where type = ?${aggregateId ? " and aggregate_id = ?" : ""} order by id`,
        aggregateId ? [schema.typeName, aggregateId] : [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
    },
    async stop() {
      client.close();
      order.close();
      await payment.close(1_000);
      if (!options.prefix) await deleteStreams(prefix).catch(() => undefined);
      await database?.drop();
    },
  };
}

/** A real Ed25519 key standing in for identity's: its JWKS is what the service trusts. */
export async function createTestKeys(kid = "payment-test-key"): Promise<TestSigner> {
  const keys = await createTestSigningKeys(kid);
  return { jwks: async () => keys.jwks, sign: keys.sign };
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";

/** A fresh UUID for an order id. */
export function orderId(): string {
  return crypto.randomUUID();
}

/** Money in EUR minor units. */
export function eur(amountMinor: bigint) {
  return { amountMinor, currency: "EUR" };
}

export { Code };
