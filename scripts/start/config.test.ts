import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { DEFAULT_ADMIN, loadLaunchConfig, metricsPort } from "./config.ts";

describe("loadLaunchConfig", () => {
  it("uses the local defaults of the architecture when nothing is set", () => {
    const config = loadLaunchConfig({});
    expect(config.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/shopmesh");
    expect(config.natsUrl).toBe("nats://127.0.0.1:4222");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.httpPort).toBe(8080);
    expect(config.grpcPorts).toEqual({
      identity: 50051,
      catalog: 50052,
      inventory: 50053,
      cart: 50054,
      order: 50055,
      payment: 50056,
      shipping: 50057,
      notification: 50058,
      audit: 50059,
    });
    expect(config.admin).toEqual({ ...DEFAULT_ADMIN, isDefault: true });
    expect(config.dataDir).toBe(".data");
    expect(config.serviceTokenSecret.length).toBeGreaterThanOrEqual(32);
  });

  it("lets every port and the admin login be overridden", () => {
    const config = loadLaunchConfig({
      PORT: "9090",
      IDENTITY_PORT: "6001",
      AUDIT_PORT: "6009",
      METRICS_PORT_BASE: "7000",
      SHOPMESH_ADMIN_EMAIL: "root@example.com",
      SHOPMESH_ADMIN_PASSWORD: "correct horse battery",
    });
    expect(config.httpPort).toBe(9090);
    expect(config.grpcPorts.identity).toBe(6001);
    expect(config.grpcPorts.audit).toBe(6009);
    expect(config.grpcPorts.catalog).toBe(50052);
    expect(metricsPort(config, "identity")).toBe(7000);
    expect(metricsPort(config, "catalog")).toBe(7001);
    expect(config.admin).toEqual({
      email: "root@example.com",
      password: "correct horse battery",
      isDefault: false,
    });
  });

  it("opens its own mailbox unless SMTP_URL names a mail server", () => {
    expect(loadLaunchConfig({}).mail).toEqual({ url: "smtp://127.0.0.1:1025", sinkPort: 1025 });
    expect(loadLaunchConfig({ SHOPMESH_MAIL_PORT: "2525" }).mail.sinkPort).toBe(2525);
    expect(loadLaunchConfig({ SMTP_URL: "smtps://mail.example.test:465" }).mail).toEqual({
      url: "smtps://mail.example.test:465",
    });
    expect(() => loadLaunchConfig({ SMTP_URL: "http://mail.example.test" })).toThrow(/SMTP_URL/);
  });

  it("treats empty variables as unset", () => {
    expect(loadLaunchConfig({ PORT: "", SHOPMESH_ADMIN_EMAIL: "" }).httpPort).toBe(8080);
  });

  it("names every malformed variable", () => {
    const error = catchError(() =>
      loadLaunchConfig({
        PORT: "eighty",
        NATS_URL: "http://x",
        SERVICE_TOKEN_SECRET: "short",
        CART_PORT: "70000",
      }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual([
      "CART_PORT",
      "NATS_URL",
      "PORT",
      "SERVICE_TOKEN_SECRET",
    ]);
  });

  it("makes up a service token secret per run unless one is given", () => {
    const generated = loadLaunchConfig({}, { generateSecret: () => "generated-secret-123" });
    expect(generated.serviceTokenSecret).toBe("generated-secret-123");
    expect(loadLaunchConfig({}).serviceTokenSecret).not.toBe(loadLaunchConfig({}).serviceTokenSecret);
    const configured = loadLaunchConfig({ SERVICE_TOKEN_SECRET: "a-configured-secret" });
    expect(configured.serviceTokenSecret).toBe("a-configured-secret");
  });

  it("rejects two services on one port, naming both", () => {
    const error = catchError(() => loadLaunchConfig({ CATALOG_PORT: "50051" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("CATALOG_PORT");
    expect(error.message).toContain("IDENTITY_PORT");
  });

  it("rejects metrics ports that land on a service port", () => {
    const error = catchError(() => loadLaunchConfig({ METRICS_PORT_BASE: "50055" }));
    expect(error.message).toContain("METRICS_PORT_BASE");
  });
});

function catchError(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
