import type { Db } from "@shopmesh/kit/db";
import { createLogger } from "@shopmesh/kit/log";
import { createIdentity } from "../../../services/identity/src/app.ts";
import { loadIdentityConfig } from "../../../services/identity/src/config.ts";

export interface RunningIdentity {
  /** host:port of its gRPC server. */
  address: string;
  db: Db;
  close(): Promise<void>;
}

/** The real identity service, in process on a free port, configured by `env` over its defaults. */
export async function startTestIdentity(env: Record<string, string>): Promise<RunningIdentity> {
  const config = loadIdentityConfig({ PORT: "0", METRICS_PORT: "0", LOG_LEVEL: "silent", ...env });
  const identity = await createIdentity(config, {
    logger: createLogger({ service: "identity", level: "silent" }),
  });
  const port = await identity.listen(0, "127.0.0.1");
  return { address: `127.0.0.1:${port}`, db: identity.db, close: () => identity.close(500) };
}
