import { runServiceMain } from "@shopmesh/kit/service";
import { createInventory } from "./app.ts";
import { loadInventoryConfig } from "./config.ts";

/** The inventory service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "inventory",
  config: () => loadInventoryConfig(),
  create: createInventory,
});
