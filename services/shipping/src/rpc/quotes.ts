import type { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { checkCountryCode } from "@shopmesh/kit/countries";
import type { FieldViolation } from "@shopmesh/kit/errors";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import { parcelWeight } from "../domain/parcel.ts";
import { quotesFor } from "../domain/rates.ts";
import { zoneOf } from "../domain/zones.ts";
import { itemsFromProto, quoteMessage } from "./convert.ts";
import type { ShippingDeps } from "./deps.ts";
import { check } from "./fields.ts";

type Handlers = ServiceHandlers<typeof ShippingService>;

/** Quotes: pure computation from the rate table, no database. */
export function quoteHandlers(deps: ShippingDeps): Pick<Handlers, "getQuotes"> {
  return {
    async getQuotes(request) {
      const destination = request.destination;
      const country: FieldViolation[] = destination
        ? checkCountryCode(destination.countryCode, "destination.countryCode")
        : [{ field: "destination", description: "is required" }];
      const parcel = parcelWeight({ items: itemsFromProto(request.items), weightGrams: request.weightGrams });
      check(country, parcel.violations);
      const zone = zoneOf(destination?.countryCode ?? "", deps.shopCountry);
      return { quotes: quotesFor(zone, parcel.weightGrams, deps.currency).map(quoteMessage) };
    },
  };
}
