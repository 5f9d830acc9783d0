import type { Counter } from "@shopmesh/kit/metrics";
import type { InventoryStore } from "../store/index.ts";

/** What the handlers work with. */
export interface InventoryDeps {
  store: InventoryStore;
  /** Reserve outcomes: reserved, repeated, out_of_stock. */
  reservations?: Counter<"outcome">;
}
