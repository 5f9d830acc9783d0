import { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import type { TokenVerifierOptions } from "@shopmesh/kit/auth";
import { createDb, type Db } from "@shopmesh/kit/db";
import { connectNats, type NatsConnection } from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { AuditConfig } from "./config.ts";
import { type AuditConsumers, createAuditConsumers } from "./events.ts";
import { AUDIT_ACCESS_RULES, createAuditHandlers } from "./rpc/index.ts";
import { type AuditStore, createAuditStore, MIGRATIONS } from "./store/index.ts";
import { AUDITED_CONTEXTS, type AuditedContext } from "./streams.ts";

/** A built audit service: everything wired, not yet listening. */
export interface Audit {
  server: RpcServer;
  consumers: AuditConsumers;
  store: AuditStore;
  db: Db;
  nats: NatsConnection;
  metrics: Metrics;
  logger: Logger;
  /** Starts consuming (streams are attached as they appear) and serves gRPC; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains in-flight calls, stops the consumers, closes NATS and the database. */
  close(graceMs?: number): Promise<void>;
}

export interface AuditOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: TokenVerifierOptions["keys"];
  /** The audited contexts; default every one (streams.ts). */
  contexts?: readonly AuditedContext[];
  /** Redelivery delays of failed events; default the kit's. */
  backoffMs?: readonly number[];
}

/**
 * Builds the audit service from its configuration: migrates the database, connects to NATS,
 * prepares one consumer per audited stream, and registers the handlers with their access rules
 * on a gRPC server (which also serves grpc.health.v1). Access tokens are verified with identity's
 * keys, fetched at the first staff call.
 *
 *   const audit = await createAudit(loadAuditConfig());
 *   const port = await audit.listen(0, "127.0.0.1");
 *   ...
 *   await audit.close();
 */
export async function createAudit(config: AuditConfig, options: AuditOptions = {}): Promise<Audit> {
  const logger = options.logger ?? createLogger({ service: "audit", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "audit" });
    lifecycle.defer(() => nats.close());

    const store = createAuditStore({ db });
    const metrics = createMetrics({ service: "audit" });
    const appended = new Counter({
      name: "audit_entries_appended_total",
      help: "Events appended to the audit log, by context",
      labelNames: ["context"],
      registers: [metrics.registry],
    });
    const consumers = createAuditConsumers({
      nats,
      db,
      prefix: config.EVENTS_PREFIX,
      store: {
        ...store,
        async record(em, event) {
          const entry = await store.record(em, event);
          if (entry) appended.inc({ context: event.context });
          return entry;
        },
      },
      contexts: options.contexts ?? AUDITED_CONTEXTS,
      logger,
      metrics,
      pollMs: config.AUDIT_STREAM_POLL_MS,
      ...(options.backoffMs ? { backoffMs: options.backoffMs } : {}),
    });

    const { verifier, tls } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks });
    const server = createRpcServer({ service: "audit", logger, verifier, metrics, tls: tls.server });
    server.add(AuditService, createAuditHandlers({ store }), AUDIT_ACCESS_RULES);

    return {
      server,
      consumers,
      store,
      db,
      nats,
      metrics,
      logger,
      ...createServiceRuntime({ server, lifecycle, workers: [consumers] }),
    };
  });
}
