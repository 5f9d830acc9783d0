import type { AuditStore } from "../store/index.ts";

/** What the handlers work with. */
export interface AuditDeps {
  store: AuditStore;
  /** Today, for the dashboard's default range; default the clock. */
  now?: () => Date;
}
