import { describe, expect, it } from "vitest";
import { loadLaunchConfig } from "./config.ts";
import { planLaunch } from "./plan.ts";
import { bff, grpcService, REGISTRY } from "./registry.ts";

const everythingExists = { root: "/repo", exists: () => true };

describe("the registry", () => {
  it("starts the services and the BFF, the BFF last", () => {
    expect(REGISTRY.map((item) => item.name)).toEqual([
      "identity",
      "catalog",
      "inventory",
      "cart",
      "payment",
      "shipping",
      "order",
      "notification",
      "audit",
      "bff",
    ]);
    expect(REGISTRY.at(-1)?.kind).toBe("http");
  });

  it("sends the notification service's mail to the configured SMTP server", () => {
    const notification = REGISTRY.find((item) => item.name === "notification");
    const env = notification?.env?.(loadLaunchConfig({ SMTP_URL: "smtp://mail.example.test:25" }));
    expect(env).toEqual({ SMTP_URL: "smtp://mail.example.test:25" });
  });

  it("finds a service's main by convention", () => {
    expect(grpcService("catalog")).toMatchObject({
      dir: "services/catalog",
      entry: "services/catalog/src/main.ts",
    });
  });
});

describe("planLaunch", () => {
  const config = loadLaunchConfig({
    SHOPMESH_ADMIN_EMAIL: "a@example.com",
    SHOPMESH_ADMIN_PASSWORD: "p4ssw0rd!",
    SERVICE_TOKEN_SECRET: "one-secret-for-all-services",
  });

  it("skips entries whose folder does not exist", () => {
    const plans = planLaunch([grpcService("identity"), grpcService("catalog"), bff()], config, {
      root: "/repo",
      exists: (path) => path !== "/repo/services/catalog",
    });
    expect(plans.map((plan) => plan.name)).toEqual(["identity", "bff"]);
    expect(plans[1]?.env).not.toHaveProperty("CATALOG_ADDRESS");
  });

  it("gives each service its port, metrics port and health probe", () => {
    const [identity, catalog] = planLaunch(
      [grpcService("identity"), grpcService("catalog")],
      config,
      everythingExists,
    );
    expect(identity).toMatchObject({
      entry: "/repo/services/identity/src/main.ts",
      port: 50051,
      metricsPort: 9464,
      health: { kind: "grpc", address: "127.0.0.1:50051" },
    });
    expect(identity?.env).toMatchObject({ PORT: "50051", METRICS_PORT: "9464" });
    expect(catalog?.env).toMatchObject({ PORT: "50052", METRICS_PORT: "9465" });
  });

  it("tells every process the infrastructure and where the services are", () => {
    const plans = planLaunch(
      [grpcService("identity"), grpcService("catalog"), bff()],
      config,
      everythingExists,
    );
    for (const plan of plans) {
      expect(plan.env).toMatchObject({
        DATABASE_URL: "postgres://postgres@127.0.0.1:5432/shopmesh",
        NATS_URL: "nats://127.0.0.1:4222",
        REDIS_URL: "redis://127.0.0.1:6379",
        IDENTITY_ADDRESS: "127.0.0.1:50051",
        CATALOG_ADDRESS: "127.0.0.1:50052",
        SERVICE_TOKEN_SECRET: "one-secret-for-all-services",
      });
    }
  });

  it("serves the BFF on PORT and probes its /readyz", () => {
    const [plan] = planLaunch([bff()], loadLaunchConfig({ PORT: "3000" }), everythingExists);
    expect(plan).toMatchObject({ port: 3000, health: { kind: "http", url: "http://127.0.0.1:3000/readyz" } });
    expect(plan?.env.PORT).toBe("3000");
  });

  it("hands the demo admin login to identity only", () => {
    const plans = planLaunch(REGISTRY, config, everythingExists);
    const identity = plans.find((plan) => plan.name === "identity");
    const edge = plans.find((plan) => plan.name === "bff");
    expect(identity?.env).toMatchObject({
      SHOPMESH_ADMIN_EMAIL: "a@example.com",
      SHOPMESH_ADMIN_PASSWORD: "p4ssw0rd!",
    });
    expect(edge?.env).not.toHaveProperty("SHOPMESH_ADMIN_PASSWORD");
  });
});
