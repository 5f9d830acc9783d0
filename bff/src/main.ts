import { createLogger } from "@shopmesh/kit/log";
import { createBff } from "./compose.ts";
import { loadBffConfig } from "./config.ts";

const config = loadBffConfig();
const logger = createLogger({ service: "bff", level: config.LOG_LEVEL });
const bff = createBff(config, logger);
await bff.listen();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "bff shutting down");
    bff.close().then(() => process.exit(0));
  });
}
