import type { PriceSource, StockSource } from "../domain/sources.ts";
import type { CartEvents } from "../events.ts";
import type { CartStore } from "../store/carts.ts";

/** What the handlers work with. */
export interface CartDeps {
  store: CartStore;
  /** Catalog's current prices. */
  prices: PriceSource;
  /** Inventory's current availability. */
  stock: StockSource;
  /** Where the handlers tell that a cart came into existence (CartCreated). */
  events: CartEvents;
}
