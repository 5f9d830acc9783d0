import { describe, expect, it } from "vitest";
import { formatBanner } from "./banner.ts";
import { loadLaunchConfig } from "./config.ts";
import { planLaunch } from "./plan.ts";
import { REGISTRY } from "./registry.ts";

describe("formatBanner", () => {
  it("prints the URLs, the gRPC addresses and the demo admin login", () => {
    const config = loadLaunchConfig({});
    const plans = planLaunch(REGISTRY, config, { root: "/repo", exists: () => true });
    const banner = formatBanner(plans, config, [
      { label: "PostgreSQL", address: "127.0.0.1:5432", note: "already running" },
    ]);
    expect(banner).toContain("http://localhost:8080/docs");
    expect(banner).toContain("http://localhost:8080/openapi.json");
    expect(banner).toContain("http://localhost:8080/metrics");
    expect(banner).toMatch(/identity\s+gRPC 127\.0\.0\.1:50051\s+metrics http:\/\/localhost:9464\/metrics/);
    expect(banner).toMatch(/PostgreSQL\s+127\.0\.0\.1:5432 {2}\(already running\)/);
    expect(banner).toContain(`${config.admin.email} / ${config.admin.password}`);
    expect(banner).toContain("SHOPMESH_ADMIN_PASSWORD");
  });

  it("does not call a configured admin login a default", () => {
    const config = loadLaunchConfig({
      SHOPMESH_ADMIN_EMAIL: "me@example.com",
      SHOPMESH_ADMIN_PASSWORD: "long enough",
    });
    const banner = formatBanner([], config, []);
    expect(banner).toContain("me@example.com / long enough");
    expect(banner).not.toContain("defaults");
  });
});
