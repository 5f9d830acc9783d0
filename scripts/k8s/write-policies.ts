import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repositoryRoot } from "./client-graph.ts";
import { generatePolicies } from "./policies.ts";

/**
 * `npm run k8s:policies`: regenerates the AuthorizationPolicies, NetworkPolicies and traffic rules
 * of k8s/base from the code's gRPC client graph (see policies.ts), and prints the graph.
 */

const root = repositoryRoot();
const { files, graph, problems } = await generatePolicies(root);
if (problems.length > 0) {
  console.error(`k8s:policies: cannot generate the policies:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
for (const file of files) {
  const path = join(root, file.path);
  let before = "";
  try {
    before = readFileSync(path, "utf8");
  } catch {}
  if (before === file.text) {
    console.log(`unchanged ${file.path}`);
    continue;
  }
  writeFileSync(path, file.text);
  console.log(`wrote     ${file.path}`);
}
console.log("\ngRPC client graph (caller -> workload: methods):");
for (const [caller, targets] of Object.entries(graph.graph)) {
  for (const [target, paths] of Object.entries(targets)) {
    console.log(`  ${caller} -> ${target}: ${paths.map((path) => path.split("/").pop()).join(", ")}`);
  }
}
