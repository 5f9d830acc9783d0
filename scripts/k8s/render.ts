import { join } from "node:path";
import { stringify } from "yaml";
import { repositoryRoot } from "./client-graph.ts";
import { kustomizeBuild } from "./kustomize.ts";

/**
 * `npm run -s k8s:render -- <overlay>`: prints an overlay (dev, prod, debug, or a path such as
 * k8s/base) as `kustomize build` would, from the offline renderer the checks use. Where kubectl
 * is installed, compare: diff <(npm run -s k8s:render -- dev) <(kubectl kustomize k8s/overlays/dev)
 */

const target = process.argv[2] ?? "dev";
const dir = target.includes("/") ? target : join("k8s", "overlays", target);
const objects = kustomizeBuild(join(repositoryRoot(), dir));
process.stdout.write(objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n"));
