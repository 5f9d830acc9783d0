import type { Counter } from "@shopmesh/kit/metrics";
import type { Carriers } from "../carrier/carriers.ts";
import type { ShippingStore } from "../store/index.ts";

/** What the handlers work with. */
export interface ShippingDeps {
  store: ShippingStore;
  carriers: Carriers;
  /** The carrier new shipments go with ("simcarrier"). */
  defaultCarrier: string;
  /** SHOP_COUNTRY: the "domestic" zone. */
  shopCountry: string;
  /** SHOP_CURRENCY: the currency of the rate table. */
  currency: string;
  /** Carrier webhooks by outcome: applied, duplicate, ignored, stale. */
  webhooks?: Counter<"outcome">;
  /** Status changes by the status reached. */
  statusChanges?: Counter<"status">;
}
