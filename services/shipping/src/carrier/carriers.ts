/** A carrier shipping hands parcels to. */
export interface Carrier {
  /** As in webhook paths and Shipment.carrier ("simcarrier"). */
  name: string;
  /** Starts each of its tracking numbers ("SIM"). */
  trackingPrefix: string;
  /** Signs its webhooks (signature header t=…,v1=…). */
  webhookSecret: string;
}

/** The built-in simulated carrier: every shipment goes with it. */
export const SIMCARRIER = "simcarrier";

/** The carriers by name. */
export type Carriers = ReadonlyMap<string, Carrier>;

/** The carriers shipping knows, from its configuration. */
export function createCarriers(config: { SIMCARRIER_WEBHOOK_SECRET: string }): Carriers {
  return new Map([
    [
      SIMCARRIER,
      { name: SIMCARRIER, trackingPrefix: "SIM", webhookSecret: config.SIMCARRIER_WEBHOOK_SECRET },
    ],
  ]);
}
