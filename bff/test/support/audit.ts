import { createLogger } from "@shopmesh/kit/log";
import { createTestDatabase, deleteRedisPrefix, deleteStreams, testPrefix } from "@shopmesh/kit/testing";
import { type Audit, createAudit } from "../../../services/audit/src/app.ts";
import { loadAuditConfig } from "../../../services/audit/src/config.ts";
import { createBff } from "../../src/compose.ts";
import { loadBffConfig } from "../../src/config.ts";
import { startTestIdentity } from "./identity.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./platform.ts";

export interface AuditPlatform {
  /** The audit service (its database, consumers). */
  audit: Audit;
  /** Sends a request to the BFF (in process, through the whole middleware stack). */
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A real identity service and a real audit service (one test database, one event prefix: audit
 * consumes what identity publishes) behind a real BFF — for the admin audit and dashboard routes.
 * The admin is ADMIN_EMAIL / ADMIN_PASSWORD.
 */
export async function startAuditPlatform(): Promise<AuditPlatform> {
  const database = await createTestDatabase();
  const prefix = testPrefix();
  const identity = await startTestIdentity({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    SHOPMESH_ADMIN_EMAIL: ADMIN_EMAIL,
    SHOPMESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  const audit = await createAudit(
    loadAuditConfig({
      DATABASE_URL: database.url,
      EVENTS_PREFIX: prefix,
      IDENTITY_ADDRESS: identity.address,
      AUDIT_STREAM_POLL_MS: "100",
      PORT: "0",
      METRICS_PORT: "0",
      LOG_LEVEL: "silent",
    }),
    { logger: createLogger({ service: "audit", level: "silent" }) },
  );
  const auditAddress = `127.0.0.1:${await audit.listen(0, "127.0.0.1")}`;
  const bff = createBff(
    loadBffConfig({
      IDENTITY_ADDRESS: identity.address,
      AUDIT_ADDRESS: auditAddress,
      RATE_LIMIT_PREFIX: `${prefix}:rl:`,
      PORT: "0",
      RATE_LIMIT_AUTH_LIMIT: "10000",
      RATE_LIMIT_LIMIT: "10000",
    }),
    createLogger({ service: "bff", level: "silent" }),
  );
  await bff.ready();

  return {
    audit,
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.json !== undefined) headers.set("content-type", "application/json");
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
      return bff.app.request(path, { ...init, headers, body });
    },
    async stop() {
      await bff.close();
      await audit.close(500);
      await identity.close();
      // bff.close() disconnected its own client: the rate-limit counters go through another.
      await deleteRedisPrefix(`${prefix}:`);
      await deleteStreams(prefix);
      await database.drop();
    },
  };
}
