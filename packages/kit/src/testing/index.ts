export type { TestDatabase } from "./database.ts";
export { createTestDatabase, dropTestDatabase, TEST_DATABASE_PATTERN } from "./database.ts";
export { connectTestNats, deleteStreams, readStream } from "./nats.ts";
export { randomToken, TEST_PREFIX_PATTERN, testPrefix } from "./random.ts";
export { deleteRedisPrefix, isTestRedisKey, testRedisUrl } from "./redis.ts";
export { rpcFailure } from "./rpc-failure.ts";
export {
  recordStatements,
  type SentStatement,
  type StatementRecorder,
  statementSummary,
} from "./statements.ts";
export { bearer, createTestSigningKeys, TEST_SESSION_ID, type TestSigningKeys } from "./tokens.ts";
export type { WaitForOptions } from "./wait-for.ts";
export { waitFor } from "./wait-for.ts";
