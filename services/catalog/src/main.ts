import { runServiceMain } from "@shopmesh/kit/service";
import { createCatalog } from "./app.ts";
import { loadCatalogConfig } from "./config.ts";

/** The catalog service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "catalog",
  config: () => loadCatalogConfig(),
  create: createCatalog,
});
