import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, createOutboxRelay, type OutboxRelay, outboxEntities } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { IdentityConfig } from "./config.ts";
import { createSecretBox } from "./crypto/secret-box.ts";
import { createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createKeyRing, type KeyRing } from "./keys.ts";
import { createIdentityHandlers, IDENTITY_ACCESS_RULES } from "./rpc/index.ts";
import { seedAdmin } from "./seed.ts";
import { createIdentityStore, IDENTITY_ENTITIES, type IdentityStore, MIGRATIONS } from "./store/index.ts";

/** A built identity service: everything wired, not yet listening. */
export interface Identity {
  server: RpcServer;
  relay: OutboxRelay;
  store: IdentityStore;
  keys: KeyRing;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /** Starts the outbox relay and serves gRPC; resolves with the bound port (0 picks one). */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops the relay, closes NATS and the database. */
  close(graceMs?: number): Promise<void>;
}

export interface IdentityOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
}

const KEY_REFRESH_MS = 30_000;
const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the identity service from its configuration: migrates the database, connects to NATS,
 * makes sure a signing key exists, seeds the demo admin when configured, and registers the
 * handlers with their access rules on a gRPC server (which also serves grpc.health.v1).
 *
 *   const identity = await createIdentity(loadIdentityConfig());
 *   const port = await identity.listen(0, "127.0.0.1");
 *   ...
 *   await identity.close();
 */
export async function createIdentity(
  config: IdentityConfig,
  options: IdentityOptions = {},
): Promise<Identity> {
  const logger = options.logger ?? createLogger({ service: "identity", level: config.LOG_LEVEL });
  const box = createSecretBox(config.SECRETS_KEY);
  if (box.usesDevelopmentKey) {
    logger.warn(
      "SECRETS_KEY is not set: TOTP secrets and signing keys are sealed with the public development key",
    );
  }
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...IDENTITY_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "identity" });
    lifecycle.defer(() => nats.close());

    const store = createIdentityStore({
      db,
      box,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
    });
    const keys = createKeyRing({ store, logger, refreshMs: KEY_REFRESH_MS });
    await keys.start();
    lifecycle.defer(async () => keys.stop());
    if (config.SHOPMESH_ADMIN_EMAIL && config.SHOPMESH_ADMIN_PASSWORD) {
      await seedAdmin(
        store,
        { email: config.SHOPMESH_ADMIN_EMAIL, password: config.SHOPMESH_ADMIN_PASSWORD },
        logger,
      );
    }

    const metrics = createMetrics({ service: "identity" });
    // Identity verifies its own tokens from its own store; a kid it has not seen (a rotation on
    // another replica) makes the verifier read the keys again at once.
    const { verifier, tls } = createServiceAuth({
      config,
      logger,
      lifecycle,
      keys: () => keys.reload(),
      refreshMs: KEY_REFRESH_MS,
    });
    const server = createRpcServer({ service: "identity", logger, verifier, metrics, tls: tls.server });
    server.add(IdentityService, createIdentityHandlers({ store, keys }), IDENTITY_ACCESS_RULES);

    const relay = createOutboxRelay({
      db,
      nats,
      context: EVENTS_CONTEXT,
      prefix: config.EVENTS_PREFIX,
      logger,
      metrics,
      backlogSampleMs: BACKLOG_SAMPLE_MS,
    });

    return {
      server,
      relay,
      store,
      keys,
      db,
      metrics,
      logger,
      ...createServiceRuntime({ server, lifecycle, workers: [relay] }),
    };
  });
}
