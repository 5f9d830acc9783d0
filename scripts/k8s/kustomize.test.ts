import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kustomizeBuild } from "./kustomize.ts";

/**
 * The offline renderer against small kustomizations whose `kustomize build` output is known:
 * kustomize v5 applies patches, then the namespace, then labels, and keeps fifo order.
 */

const root = mkdtempSync(join(tmpdir(), "kustomize-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function tree(files: Record<string, string>): string {
  const dir = join(root, String(counter++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const HEAD =
  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsortOptions:\n  order: fifo\n";

const BASE = {
  "base/kustomization.yaml": `${HEAD}namespace: shop\nlabels:\n- pairs:\n    part-of: shop\nresources:\n- ns.yaml\n- app.yaml\n`,
  "base/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: placeholder\n",
  "base/app.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: api",
    "  labels:",
    "    app: api",
    "spec:",
    "  selector:",
    "    matchLabels:",
    "      app: api",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app: api",
    "    spec:",
    "      containers:",
    "      - name: api",
    "        image: api",
    "        env:",
    "        - name: A",
    "          value: a",
    "---",
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: api",
    "spec:",
    "  selector:",
    "    app: api",
    "  ports:",
    "  - name: grpc",
    "    port: 1",
    "---",
    "",
  ].join("\n"),
};

describe("kustomizeBuild", () => {
  it("sets the namespace (renaming a Namespace object) and adds labels to metadata only", () => {
    const [namespace, deployment, service] = kustomizeBuild(join(tree(BASE), "base"));
    expect(namespace).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "shop", labels: { "part-of": "shop" } },
    });
    expect(deployment!.metadata).toEqual({
      name: "api",
      namespace: "shop",
      labels: { app: "api", "part-of": "shop" },
    });
    // labels without includeSelectors touch neither selectors nor templates.
    expect(deployment!.spec.selector).toEqual({ matchLabels: { app: "api" } });
    expect(deployment!.spec.template.metadata.labels).toEqual({ app: "api" });
    expect(service!.spec.selector).toEqual({ app: "api" });
  });

  it("applies an overlay's JSON 6902 patches to the rendered base, selected by kind, name and labels", () => {
    const dir = tree({
      ...BASE,
      "overlay/kustomization.yaml": [
        HEAD,
        "resources:",
        "- ../base",
        "patches:",
        "- target:",
        "    kind: Deployment",
        "    name: a.*",
        "    labelSelector: part-of=shop",
        "  patch: |-",
        "    - op: replace",
        "      path: /spec/template/spec/containers/0/image",
        "      value: api:2",
        "    - op: add",
        "      path: /spec/template/spec/containers/0/env/-",
        "      value: { name: B, value: b }",
        "    - op: test",
        "      path: /spec/template/spec/containers/0/env/0/value",
        "      value: a",
        "    - op: copy",
        "      from: /metadata/labels/app",
        "      path: /metadata/annotations",
        "    - op: move",
        "      from: /metadata/annotations",
        "      path: /metadata/labels/copied",
        "- target:",
        "    kind: Service",
        "  patch: |-",
        "    - op: remove",
        "      path: /spec/ports/0/name",
        "    - op: add",
        "      path: /metadata/annotations",
        "      value: { a~b/c: x }",
        "    - op: replace",
        "      path: /metadata/annotations/a~0b~1c",
        "      value: y",
      ].join("\n"),
    });
    const [, deployment, service] = kustomizeBuild(join(dir, "overlay"));
    const container = deployment!.spec.template.spec.containers[0];
    expect(container.image).toBe("api:2");
    expect(container.env).toEqual([
      { name: "A", value: "a" },
      { name: "B", value: "b" },
    ]);
    expect(deployment!.metadata.labels).toEqual({ app: "api", "part-of": "shop", copied: "api" });
    expect(service!.spec.ports).toEqual([{ port: 1 }]);
    expect(service!.metadata.annotations).toEqual({ "a~b/c": "y" });
  });

  it("patches before it sets the namespace, as kustomize orders its transformers", () => {
    const dir = tree({
      ...BASE,
      "base/kustomization.yaml": `${HEAD}namespace: shop\nresources:\n- app.yaml\npatches:\n- target:\n    kind: Service\n    namespace: shop\n  patch: |-\n    - op: remove\n      path: /spec/ports\n`,
    });
    expect(() => kustomizeBuild(join(dir, "base"))).toThrow(/matches no object/);
  });

  it("refuses what it does not render exactly: generators, strategic merge patches, a legacy sort", () => {
    const generator = tree({ "kustomization.yaml": `${HEAD}configMapGenerator:\n- name: x\n` });
    expect(() => kustomizeBuild(generator)).toThrow(/field "configMapGenerator" is not supported/);

    const strategic = tree({
      ...BASE,
      "base/kustomization.yaml": `${HEAD}resources:\n- app.yaml\npatches:\n- target:\n    kind: Service\n  patch: |-\n    spec:\n      type: NodePort\n`,
    });
    expect(() => kustomizeBuild(join(strategic, "base"))).toThrow(/only JSON 6902 patches/);

    const legacy = tree({
      "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    });
    expect(() => kustomizeBuild(legacy)).toThrow(/sortOptions: \{ order: fifo \}/);

    const selectors = tree({
      ...BASE,
      "base/kustomization.yaml": `${HEAD}labels:\n- pairs:\n    a: b\n  includeSelectors: true\nresources:\n- app.yaml\n`,
    });
    expect(() => kustomizeBuild(join(selectors, "base"))).toThrow(/includeSelectors/);
  });

  it("refuses an object defined twice, a failed test operation and a path that does not exist", () => {
    const twice = tree({ ...BASE, "base/kustomization.yaml": `${HEAD}resources:\n- app.yaml\n- app.yaml\n` });
    expect(() => kustomizeBuild(join(twice, "base"))).toThrow(/defined twice/);

    const patch = (ops: string) =>
      tree({
        ...BASE,
        "base/kustomization.yaml": `${HEAD}resources:\n- app.yaml\npatches:\n- target:\n    kind: Service\n  patch: |-\n${ops}`,
      });
    expect(() =>
      kustomizeBuild(join(patch("    - op: test\n      path: /spec/ports/0/port\n      value: 2\n"), "base")),
    ).toThrow(/test failed/);
    expect(() =>
      kustomizeBuild(
        join(patch("    - op: replace\n      path: /spec/type\n      value: NodePort\n"), "base"),
      ),
    ).toThrow(/no "type"/);
  });
});
