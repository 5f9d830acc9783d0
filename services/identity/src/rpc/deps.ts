import type { LockoutPolicy } from "../domain/login.ts";
import type { KeyRing } from "../keys.ts";
import type { IdentityStore } from "../store/index.ts";

/** What the handlers work with. */
export interface IdentityDeps {
  store: IdentityStore;
  keys: KeyRing;
  /** When failed logins lock an account; the domain's default (5 in 15 minutes) when unset. */
  lockout?: LockoutPolicy;
}
