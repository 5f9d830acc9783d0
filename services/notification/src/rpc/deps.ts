import type { NotificationStore } from "../store/index.ts";

/** What the handlers work with. */
export interface NotificationDeps {
  store: NotificationStore;
}
