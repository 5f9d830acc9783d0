import { bool, loadConfig } from "@shopmesh/kit/config";
import type { LaunchPlan } from "../start/plan.ts";
import { generateDemoCatalog } from "./generate.ts";
import { seedDemoCatalog } from "./seed.ts";

/**
 * What `npm start` does once the platform is healthy: seeds the demo catalog when the catalog is
 * empty, so a newcomer can browse and search at once. SHOPMESH_SEED=false skips it. A failure is
 * reported but does not stop the platform: it runs fine without demo data.
 */
export async function seedOnStart(options: {
  plans: readonly LaunchPlan[];
  admin: { email: string; password: string };
  log: (message: string) => void;
  env?: Record<string, string | undefined>;
}): Promise<void> {
  const { SHOPMESH_SEED: enabled } = loadConfig({ SHOPMESH_SEED: bool(true) }, options.env ?? process.env);
  if (!enabled) return;
  const address = (name: string) => {
    const plan = options.plans.find((p) => p.name === name);
    return plan?.health.kind === "grpc" ? plan.health.address : undefined;
  };
  const identityAddress = address("identity");
  const catalogAddress = address("catalog");
  const inventoryAddress = address("inventory");
  if (!identityAddress || !catalogAddress || !inventoryAddress) return;

  options.log("seeding demo catalog...");
  try {
    const result = await seedDemoCatalog({
      identityAddress,
      catalogAddress,
      inventoryAddress,
      admin: options.admin,
      catalog: generateDemoCatalog(),
      log: options.log,
    });
    if (result.seeded) {
      options.log(
        `seeding demo catalog... done: ${result.products} products in ${(result.durationMs / 1000).toFixed(1)} s`,
      );
    } else {
      options.log("seeding demo catalog... skipped: the catalog is not empty");
    }
  } catch (error) {
    options.log(`seeding demo catalog failed (the platform keeps running): ${(error as Error).message}`);
  }
}
