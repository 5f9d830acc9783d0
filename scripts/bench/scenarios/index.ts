import type { Scenario } from "../types.ts";
import { bffMe } from "./bff-me.ts";
import { checkout } from "./checkout.ts";
import { honoBaseline } from "./hono-baseline.ts";
import { productGet } from "./product-get.ts";
import { rpcUnary } from "./rpc-unary.ts";
import { search } from "./search.ts";

/** Every scenario `npm run bench` runs, in order; the baseline first so the others read against it. */
export const SCENARIOS: readonly Scenario[] = [honoBaseline, rpcUnary, bffMe, productGet, search, checkout];
