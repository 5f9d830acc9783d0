import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The environment variables each workload's configuration reads: the keys of the zod shape its
 * src/config.ts exports (IDENTITY_CONFIG, bffConfigShape, ...), and those whose default points at
 * the local machine (127.0.0.1 or localhost), which a Deployment must set. A workload whose
 * config.ts does not exist yet is left out (its environment cannot be checked until it lands).
 */
export async function loadConfigVariables(
  root: string,
  workloads: string[],
): Promise<{ variables: Record<string, Set<string>>; local: Record<string, string[]>; pending: string[] }> {
  const variables: Record<string, Set<string>> = {};
  const local: Record<string, string[]> = {};
  const pending: string[] = [];
  for (const name of workloads) {
    const file =
      name === "bff"
        ? join(root, "bff", "src", "config.ts")
        : join(root, "services", name, "src", "config.ts");
    if (!existsSync(file)) {
      pending.push(name);
      continue;
    }
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const shape = Object.values(module).find(
      (value): value is Record<string, unknown> =>
        typeof value === "object" &&
        value !== null &&
        "PORT" in value &&
        Object.values(value).every(
          (field) => typeof (field as { safeParse?: unknown })?.safeParse === "function",
        ),
    );
    if (!shape)
      throw new Error(`${file} exports no configuration shape (an object of zod schemas with PORT)`);
    variables[name] = new Set(Object.keys(shape));
    // A default that points at this machine (127.0.0.1, localhost) is wrong in a cluster.
    local[name] = Object.entries(shape)
      .filter(([, field]) => {
        const parsed = (
          field as { safeParse(value: unknown): { success: boolean; data?: unknown } }
        ).safeParse(undefined);
        return (
          parsed.success && typeof parsed.data === "string" && /127\.0\.0\.1|localhost/.test(parsed.data)
        );
      })
      .map(([key]) => key)
      .sort();
  }
  return { variables, local, pending };
}
