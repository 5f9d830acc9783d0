import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import type { LaunchPlan } from "../start/plan.ts";
import { seedOnStart } from "./on-start.ts";

/** Plans whose gRPC services sit on a port nothing listens on. */
function plans(names: string[]): LaunchPlan[] {
  return names.map((name) => ({
    name,
    kind: "grpc",
    entry: `/nowhere/${name}.ts`,
    env: {},
    port: 1,
    health: { kind: "grpc", address: "127.0.0.1:1" },
  }));
}

const admin = { email: "admin@shopmesh.local", password: "shopmesh-admin-demo" };

describe("seedOnStart", () => {
  it("does nothing when SHOPMESH_SEED is false", async () => {
    const lines: string[] = [];
    await seedOnStart({
      plans: plans(["identity", "catalog", "inventory"]),
      admin,
      log: (line) => lines.push(line),
      env: { SHOPMESH_SEED: "false" },
    });
    expect(lines).toEqual([]);
  });

  it("does nothing when catalog or inventory is not part of the platform", async () => {
    const lines: string[] = [];
    await seedOnStart({ plans: plans(["identity"]), admin, log: (line) => lines.push(line), env: {} });
    expect(lines).toEqual([]);
  });

  it("names SHOPMESH_SEED when it is not a boolean", async () => {
    const outcome = seedOnStart({ plans: [], admin, log: () => {}, env: { SHOPMESH_SEED: "perhaps" } });
    await expect(outcome).rejects.toBeInstanceOf(ConfigError);
    await expect(outcome).rejects.toThrow(/SHOPMESH_SEED/);
  });

  it("reports a failed seeding without throwing, so the platform keeps running", async () => {
    const lines: string[] = [];
    await seedOnStart({
      plans: plans(["identity", "catalog", "inventory"]),
      admin,
      log: (line) => lines.push(line),
      env: {},
    });
    expect(lines[0]).toBe("seeding demo catalog...");
    expect(lines.at(-1)).toMatch(/^seeding demo catalog failed \(the platform keeps running\): /);
  });
});
