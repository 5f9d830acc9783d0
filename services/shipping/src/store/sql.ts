/** Helpers of the raw SQL in this folder. */
export { type LockOption, toDate } from "@shopmesh/kit/db";
