import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { checkContext, checkToken, contextSubjects, deadLetterStreamName, streamName } from "./naming.ts";

export interface StreamOptions {
  /**
   * How long JetStream remembers a Nats-Msg-Id to drop a re-published duplicate; default 2 min.
   * The relay re-publishes only what it could not mark sent, normally within seconds.
   */
  duplicateWindowMs?: number;
  /** Drop messages older than this; default 0 = keep (the audit service rebuilds by replay). */
  maxAgeMs?: number;
  /** Replicas in a cluster; default 1. */
  replicas?: number;
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/** Creates a stream unless it exists; a concurrent creator with the same config is fine. */
async function ensure(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(config.name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  try {
    return await jsm.streams.add(config);
  } catch (err) {
    // Lost the race to another replica: what it created is what we wanted.
    try {
      return await jsm.streams.info(config.name);
    } catch {
      throw err;
    }
  }
}

function baseConfig(
  name: string,
  subject: string,
  options: StreamOptions,
): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    max_age: nanos(options.maxAgeMs ?? 0),
    num_replicas: options.replicas ?? 1,
  };
}

/** Makes sure the stream of `context` (`SHOPMESH_<CONTEXT>`, subjects `shopmesh.<context>.>`) exists. */
export function ensureStream(
  jsm: JetStreamManager,
  prefix: string,
  context: string,
  options: StreamOptions = {},
): Promise<StreamInfo> {
  checkToken(prefix, "prefix");
  checkContext(context);
  return ensure(jsm, baseConfig(streamName(prefix, context), contextSubjects(prefix, context), options));
}

/** Makes sure the dead-letter stream (`SHOPMESH_DLQ`, subjects `shopmesh.dlq.>`) exists. */
export function ensureDeadLetterStream(
  jsm: JetStreamManager,
  prefix: string,
  options: StreamOptions = {},
): Promise<StreamInfo> {
  checkToken(prefix, "prefix");
  return ensure(jsm, baseConfig(deadLetterStreamName(prefix), `${prefix}.dlq.>`, options));
}
