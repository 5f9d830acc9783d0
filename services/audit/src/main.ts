import { runServiceMain } from "@shopmesh/kit/service";
import { createAudit } from "./app.ts";
import { loadAuditConfig } from "./config.ts";

/** The audit service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "audit",
  config: () => loadAuditConfig(),
  create: createAudit,
});
