export type { TestDatabase } from "./database.ts";
export { createTestDatabase, dropTestDatabase } from "./database.ts";
export { connectTestNats, deleteStreams, readStream } from "./nats.ts";
export { randomToken, testPrefix } from "./random.ts";
export type { WaitForOptions } from "./wait-for.ts";
export { waitFor } from "./wait-for.ts";
