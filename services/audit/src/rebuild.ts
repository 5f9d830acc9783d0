import { ConfigError } from "@shopmesh/kit/config";
import { createDb } from "@shopmesh/kit/db";
import { connectNats } from "@shopmesh/kit/events";
import { createLogger } from "@shopmesh/kit/log";
import { loadAuditConfig } from "./config.ts";
import { rebuildProjections } from "./replay/rebuild-projections.ts";
import { MIGRATIONS } from "./store/index.ts";

/**
 * The rebuild command: replays every audited stream from the start into fresh projection tables,
 * compares them with the live ones and prints the report (JSON). With --swap, live tables that
 * differ are replaced by the rebuilt ones. Reads the service's configuration (DATABASE_URL,
 * NATS_URL, EVENTS_PREFIX, DB_SCHEMA). Safe while the service runs.
 *
 *   node services/audit/src/rebuild.ts [--swap] [--keep-shadow]
 *   npm run rebuild -w @shopmesh/audit -- --swap
 *
 * Exit status: 0 equal (or swapped), 2 different (not swapped), 1 failed.
 */

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => !["--swap", "--keep-shadow"].includes(arg));
if (unknown.length > 0) {
  console.error(`audit rebuild: unknown option ${unknown.join(" ")} (use --swap, --keep-shadow)`);
  process.exit(1);
}

let config: ReturnType<typeof loadAuditConfig>;
try {
  config = loadAuditConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`audit rebuild: ${error.message}`);
  process.exit(1);
}

const logger = createLogger({ service: "audit-rebuild", level: config.LOG_LEVEL });
try {
  const db = await createDb({
    url: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    entities: [],
    migrations: MIGRATIONS,
    logger,
  });
  const nats = await connectNats({ url: config.NATS_URL, name: "audit-rebuild" });
  try {
    const report = await rebuildProjections({
      db,
      nats,
      prefix: config.EVENTS_PREFIX,
      logger,
      swap: args.has("--swap"),
      keepShadow: args.has("--keep-shadow"),
    });
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.equal || report.swapped ? 0 : 2;
  } finally {
    await nats.close();
    await db.close();
  }
} catch (error) {
  console.error(`audit rebuild: failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
}
