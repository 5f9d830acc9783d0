import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadAuditConfig } from "./config.ts";

describe("loadAuditConfig", () => {
  it("uses the local defaults", () => {
    expect(loadAuditConfig({})).toMatchObject({
      PORT: 50059,
      METRICS_PORT: 9472,
      DB_SCHEMA: "audit",
      IDENTITY_ADDRESS: "127.0.0.1:50051",
      EVENTS_PREFIX: "shopmesh",
      AUDIT_STREAM_POLL_MS: 10_000,
    });
  });

  it("names every bad variable", () => {
    let error: unknown;
    try {
      loadAuditConfig({ PORT: "70000", DB_SCHEMA: "Audit-Log", AUDIT_STREAM_POLL_MS: "1" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual(["AUDIT_STREAM_POLL_MS", "DB_SCHEMA", "PORT"]);
  });
});
