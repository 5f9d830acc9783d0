import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listWorkloads, repositoryRoot } from "./client-graph.ts";
import { loadConfigVariables } from "./config-shapes.ts";
import { kustomizeBuild, type Manifest } from "./kustomize.ts";
import { type Generation, generatePolicies } from "./policies.ts";
import { authorizationGraph, checkImages, checkNamespaces, checkRules, type RuleOptions } from "./rules.ts";
import { createValidator, schemaDirectory, type Validator } from "./validate.ts";

/**
 * The deployment, checked offline: every overlay renders (scripts/k8s/kustomize.ts), every object
 * passes kubernetes-models and the strict JSON schemas, skaffold.yaml passes its schema, the
 * project's rules hold, and the mesh's authorisation equals the code's gRPC client graph.
 */

const root = repositoryRoot();
const OVERLAYS = {
  base: { path: "k8s/base", secrets: "unchecked" },
  dev: { path: "k8s/overlays/dev", secrets: "defined", allowWritableRoot: true },
  debug: {
    path: "k8s/overlays/debug",
    secrets: "defined",
    allowWritableRoot: true,
    allowMissingLiveness: true,
  },
  prod: { path: "k8s/overlays/prod", secrets: "external" },
} as const;
type Overlay = keyof typeof OVERLAYS;

let validator: Validator;
let generation: Generation;
let options: Pick<RuleOptions, "configVariables" | "calls" | "localDefaults">;
let pendingConfigs: string[];
const renders = {} as Record<Overlay, Manifest[]>;
const skaffold = parse(readFileSync(join(root, "skaffold.yaml"), "utf8")) as Manifest;

beforeAll(async () => {
  validator = createValidator(schemaDirectory(root));
  for (const [name, overlay] of Object.entries(OVERLAYS))
    renders[name as Overlay] = kustomizeBuild(join(root, overlay.path));
  generation = await generatePolicies(root);
  const workloads = renders.base
    .filter((object) => object.kind === "Deployment")
    .map((d) => d.metadata.name as string);
  const configs = await loadConfigVariables(root, workloads);
  pendingConfigs = configs.pending;
  const calls = Object.fromEntries(
    Object.entries(generation.graph.graph).map(([caller, targets]) => [caller, Object.keys(targets)]),
  );
  options = { configVariables: configs.variables, localDefaults: configs.local, calls };
}, 120_000);

/** A copy of a render's object, for tests that break it. */
function pick(overlay: Overlay, kind: string, name: string): Manifest {
  const found = renders[overlay].find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`${overlay} renders no ${kind} ${name}`);
  return structuredClone(found);
}

function rules(overlay: Overlay, objects = renders[overlay]): string[] {
  return [
    ...checkRules(objects, { ...OVERLAYS[overlay], ...options }),
    ...(overlay === "base" ? [] : checkNamespaces(objects)),
  ];
}

function replace(objects: Manifest[], changed: Manifest): Manifest[] {
  return objects.map((object) =>
    object.kind === changed.kind && object.metadata.name === changed.metadata.name ? changed : object,
  );
}

describe.each(Object.keys(OVERLAYS) as Overlay[])("the %s overlay", (overlay) => {
  it("deploys every service that has a main.ts, and the BFF", () => {
    const deployed = renders[overlay]
      .filter((object) => object.kind === "Deployment")
      .map((d) => d.metadata.name);
    const workloads = listWorkloads(root).map((workload) => workload.name);
    const runnable = workloads.filter((name) => existsSync(join(root, "services", name, "src", "main.ts")));
    expect(deployed).toEqual(expect.arrayContaining([...runnable, "bff"]));
    for (const name of deployed) expect(workloads, `${name} has no folder`).toContain(name);
  });

  it("validates every object with kubernetes-models and the strict JSON schemas", () => {
    const problems = renders[overlay].flatMap((object) => validator.validate(object));
    expect(problems).toEqual([]);
  });

  it("follows the project's rules", () => {
    expect(rules(overlay)).toEqual([]);
  });
});

describe("strict validation", () => {
  it("refuses a misspelt field in a Deployment, a Service, an HPA and a NetworkPolicy", () => {
    const deployment = pick("prod", "Deployment", "cart");
    deployment.spec.template.spec.containers[0].imagePullPolicyy = "Always";
    expect(validator.validate(deployment).join("\n")).toMatch(/imagePullPolicyy/);

    const service = pick("prod", "Service", "cart");
    service.spec.ports[0].targetPortt = 1;
    expect(validator.validate(service).join("\n")).toMatch(/targetPortt/);

    const hpa = pick("prod", "HorizontalPodAutoscaler", "cart");
    hpa.spec.metrics[0].resource.targt = {};
    expect(validator.validate(hpa).join("\n")).toMatch(/targt/);

    const policy = pick("prod", "NetworkPolicy", "cart-ingress");
    policy.spec.ingress[0].fromm = [];
    expect(validator.validate(policy).join("\n")).toMatch(/fromm/);
  });

  it("refuses a misspelt field in Istio objects", () => {
    const authorization = pick("prod", "AuthorizationPolicy", "cart-allow");
    authorization.spec.rules[0].fromm = authorization.spec.rules[0].from;
    expect(validator.validate(authorization).join("\n")).toMatch(/fromm/);

    const route = pick("prod", "VirtualService", "cart");
    route.spec.http[0].retrys = { attempts: 1 };
    expect(validator.validate(route).join("\n")).toMatch(/retrys/);

    const destination = pick("prod", "DestinationRule", "cart");
    destination.spec.trafficPolicy.outlierDetection.consecutive5xxErrorz = 1;
    expect(validator.validate(destination).join("\n")).toMatch(/consecutive5xxErrorz/);

    const peer = pick("prod", "PeerAuthentication", "default");
    peer.spec.mtls.mode = "STRICTLY";
    expect(validator.validate(peer).join("\n")).toMatch(/allowed values/);
  });

  it("refuses a wrong type and a missing required field (kubernetes-models)", () => {
    const deployment = pick("prod", "Deployment", "cart");
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "fifty";
    expect(validator.validate(deployment).join("\n")).toMatch(/containerPort/);
    delete deployment.spec.selector;
    expect(validator.validate(deployment).join("\n")).toMatch(/selector/);
  });

  it("validates skaffold.yaml against the v4beta14 schema and refuses a misspelt field", () => {
    expect(validator.validateSkaffold(skaffold)).toEqual([]);
    const broken = structuredClone(skaffold);
    broken.build.artifacts[0].docker.dockerfil = "Dockerfile";
    expect(validator.validateSkaffold(broken).join("\n")).toMatch(/dockerfil/);
    const misspeltProfile = structuredClone(skaffold);
    misspeltProfile.profiles[0].portForwards = [];
    expect(validator.validateSkaffold(misspeltProfile).join("\n")).toMatch(/portForwards/);
    expect(validator.validateSkaffold({ ...skaffold, apiVersion: "skaffold/v4beta13" })).toContain(
      "skaffold.yaml: apiVersion must be skaffold/v4beta14, not skaffold/v4beta13",
    );
  });
});

describe("project rules catch", () => {
  it("a Deployment without a probe, resources or the security context", () => {
    const deployment = pick("prod", "Deployment", "inventory");
    const container = deployment.spec.template.spec.containers[0];
    delete container.livenessProbe;
    delete container.resources.limits.memory;
    container.securityContext.readOnlyRootFilesystem = false;
    container.securityContext.capabilities.drop = [];
    deployment.spec.template.spec.securityContext.runAsNonRoot = false;
    expect(rules("prod", replace(renders.prod, deployment))).toEqual(
      expect.arrayContaining([
        expect.stringContaining("livenessProbe is missing"),
        expect.stringContaining("resources.limits.memory is missing"),
        expect.stringContaining("readOnlyRootFilesystem must be true"),
        expect.stringContaining("capabilities.drop must include ALL"),
        expect.stringContaining("runAsNonRoot must be true"),
      ]),
    );
  });

  it("a Deployment without its PDB, HPA or ServiceAccount", () => {
    const objects = renders.prod.filter(
      (object) =>
        !(
          ["PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceAccount"].includes(object.kind) &&
          object.metadata.name === "cart"
        ),
    );
    expect(rules("prod", objects)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Deployment shopmesh/cart: needs exactly one PodDisruptionBudget"),
        expect.stringContaining(
          "Deployment shopmesh/cart: needs exactly one autoscaling/v2 HorizontalPodAutoscaler",
        ),
        expect.stringContaining("Deployment shopmesh/cart: ServiceAccount cart is not in the render"),
      ]),
    );
  });

  it("an unnamed Service port and selectors that miss the pod template", () => {
    const service = pick("prod", "Service", "order");
    delete service.spec.ports[0].name;
    const deployment = pick("prod", "Deployment", "payment");
    deployment.spec.selector.matchLabels["app.kubernetes.io/name"] = "payments";
    const objects = replace(replace(renders.prod, service), deployment);
    expect(rules("prod", objects)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Service shopmesh/order: port 50055 has no name"),
        expect.stringContaining("Deployment shopmesh/payment: spec.selector does not select"),
      ]),
    );
  });

  it("a variable the service does not read, and a missing peer address", () => {
    const deployment = pick("prod", "Deployment", "cart");
    const env = deployment.spec.template.spec.containers[0].env as Manifest[];
    env.push({ name: "CATALOG_ADRESS", value: "catalog:50052" });
    deployment.spec.template.spec.containers[0].env = env.filter(
      (variable) => variable.name !== "CATALOG_ADDRESS",
    );
    expect(rules("prod", replace(renders.prod, deployment))).toEqual(
      expect.arrayContaining([
        expect.stringContaining("CATALOG_ADRESS is not a variable cart's config reads"),
        expect.stringContaining("calls catalog but CATALOG_ADDRESS is not set"),
      ]),
    );
  });

  it("a variable left at its local default (127.0.0.1), which cannot work in a cluster", () => {
    const deployment = pick("prod", "Deployment", "inventory");
    const container = deployment.spec.template.spec.containers[0];
    container.env = (container.env as Manifest[]).filter((variable) => variable.name !== "NATS_URL");
    expect(rules("prod", replace(renders.prod, deployment))).toEqual([
      "apps/v1/Deployment shopmesh/inventory container inventory: NATS_URL must be set (its default points at this machine)",
    ]);
  });

  it("a Secret committed to prod, and a dev Secret without the key a workload reads", () => {
    const secret = { ...pick("dev", "Secret", "shopmesh-infra") };
    expect(rules("prod", [...renders.prod, secret])).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Secret shopmesh-infra must not be committed to the prod overlay"),
      ]),
    );
    delete secret.stringData.REDIS_URL;
    expect(rules("dev", replace(renders.dev, secret))).toEqual(
      expect.arrayContaining([expect.stringContaining("Secret shopmesh-infra has no key REDIS_URL")]),
    );
  });

  it("infrastructure reachable by a workload that does not use it", () => {
    const policy = pick("dev", "NetworkPolicy", "redis-ingress");
    policy.spec.ingress[0].from[0].podSelector.matchExpressions[0].values.push("identity");
    expect(rules("dev", replace(renders.dev, policy))).toContain(
      "NetworkPolicy of redis: admits [bff, cart, catalog, identity] but the workloads with REDIS_URL are [bff, cart, catalog]",
    );
  });
});

describe("images and skaffold artifacts", () => {
  const artifactsOf = (build: Manifest | undefined) =>
    ((build?.artifacts ?? skaffold.build.artifacts) as Manifest[]).map(
      (artifact) => artifact.image as string,
    );
  const profile = (name: string) => (skaffold.profiles as Manifest[]).find((p) => p.name === name)!;

  it("uses every artifact in the overlay each skaffold configuration deploys, and nothing else of ours", () => {
    const overlayOf = (manifests: Manifest | undefined) =>
      manifests?.kustomize?.paths?.[0] ?? skaffold.manifests.kustomize.paths[0];
    const configurations = [
      { name: "default", build: skaffold.build, manifests: skaffold.manifests },
      ...(skaffold.profiles as Manifest[]).map((p) => ({
        name: p.name,
        build: p.build,
        manifests: p.manifests,
      })),
    ];
    for (const configuration of configurations) {
      const objects = kustomizeBuild(join(root, overlayOf(configuration.manifests)));
      expect(checkImages(objects, artifactsOf(configuration.build), configuration.name)).toEqual([]);
    }
  });

  it("builds each artifact from its own workspace with the target its profile needs", () => {
    const expectations = [
      { build: skaffold.build, target: "runtime" },
      { build: profile("dev").build, target: "dev" },
      { build: profile("debug").build, target: "debug" },
    ];
    for (const { build, target } of expectations) {
      for (const artifact of build.artifacts as Manifest[]) {
        const name = (artifact.image as string).replace("shopmesh/", "");
        expect(artifact.docker).toEqual({
          dockerfile: "Dockerfile",
          target,
          buildArgs: { WORKSPACE: name === "bff" ? "bff" : `services/${name}` },
        });
      }
    }
  });

  it("syncs TypeScript sources in the dev profile and forwards the BFF", () => {
    const dev = profile("dev");
    for (const artifact of dev.build.artifacts as Manifest[]) {
      const sources = (artifact.sync.manual as Manifest[]).map((rule) => rule.src);
      expect(sources).toContain(`${artifact.docker.buildArgs.WORKSPACE}/src/**/*.ts`);
    }
    expect(dev.portForward).toEqual([
      { resourceType: "service", resourceName: "bff", namespace: "shopmesh", port: 8080, localPort: 8080 },
    ]);
  });

  it("catches an image that is no artifact and an artifact nobody deploys", () => {
    const deployment = pick("prod", "Deployment", "cart");
    deployment.spec.template.spec.containers[0].image = "shopmesh/carts";
    expect(checkImages(replace(renders.prod, deployment), artifactsOf(skaffold.build), "prod")).toEqual([
      "prod: image shopmesh/carts is not a skaffold artifact",
      "prod: skaffold artifact shopmesh/cart is used by no workload",
    ]);
  });
});

describe("the mesh's authorisation and the code's gRPC client graph", () => {
  it("reads the graph from the code without unresolved calls", () => {
    expect(generation.problems).toEqual([]);
    // Calls made through the kit's own clients count too.
    expect(generation.graph.graph.cart?.identity).toEqual(["/shopmesh.identity.v1.IdentityService/GetJwks"]);
    expect(generation.graph.graph.bff?.identity).toContain("/grpc.health.v1.Health/Check");
    expect(generation.graph.graph.cart?.catalog).toContain(
      "/shopmesh.catalog.v1.CatalogService/BatchGetVariants",
    );
  });

  it("has committed exactly what `npm run k8s:policies` generates", () => {
    const stale = generation.files.filter(
      (file) => readFileSync(join(root, file.path), "utf8") !== file.text,
    );
    if (stale.length > 0) {
      const lines = stale.map((file) => {
        const committed = readFileSync(join(root, file.path), "utf8").split("\n");
        const wanted = file.text.split("\n");
        const at = wanted.findIndex((line, index) => line !== committed[index]);
        return `${file.path}: first difference at line ${at + 1}: committed ${JSON.stringify(committed[at])}, code says ${JSON.stringify(wanted[at])}`;
      });
      expect.fail(
        `The mesh policies no longer match the code's gRPC client graph. Run \`npm run k8s:policies\` and commit the result.\n${lines.join("\n")}`,
      );
    }
  });

  it("allows each caller exactly the methods its code calls, and nothing else", () => {
    const { graph, other } = authorizationGraph(renders.prod);
    expect(graph).toEqual(generation.graph.graph);
    // The only non-gRPC rules: the ingress gateway and the declared HTTP edge into the BFF.
    expect(other).toEqual([
      'bff-allow: from [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account] to [{"ports":["8080"]}]',
      'bff-allow: from [cluster.local/ns/shopmesh/sa/payment] to [{"methods":["POST"],"paths":["/webhooks/payments/sandbox"]}]',
    ]);
  });

  it("denies by default with STRICT mTLS", () => {
    expect(pick("prod", "PeerAuthentication", "default").spec).toEqual({ mtls: { mode: "STRICT" } });
    expect(pick("prod", "AuthorizationPolicy", "allow-nothing").spec).toEqual({});
  });

  it("notices a policy that allows a method no code calls", () => {
    const policy = pick("prod", "AuthorizationPolicy", "inventory-allow");
    // bff manages stock but never reserves it: allowing Reserve would exceed the code.
    policy.spec.rules[0].to[0].operation.paths.push("/shopmesh.inventory.v1.InventoryService/Reserve");
    const { graph } = authorizationGraph(replace(renders.prod, policy));
    expect(graph).not.toEqual(generation.graph.graph);
  });

  it("verifies tokens at the ingress with identity's keys, for identity's issuer and audience", async () => {
    const { TOKEN_AUDIENCE, TOKEN_ISSUER } = await import("@shopmesh/kit/auth");
    const [rule] = pick("prod", "RequestAuthentication", "shopmesh-jwt").spec.jwtRules as Manifest[];
    expect(rule).toMatchObject({
      issuer: TOKEN_ISSUER,
      audiences: [TOKEN_AUDIENCE],
      jwksUri: "http://bff.shopmesh.svc.cluster.local:8080/.well-known/jwks.json",
      forwardOriginalToken: true,
    });
  });
});

it("lists the workloads whose config.ts has not landed (their environment is not checked yet)", () => {
  // Informational: a workload leaves this list when its src/config.ts exists.
  expect(
    pendingConfigs.every((name) => ["order", "payment", "shipping", "audit", "notification"].includes(name)),
  ).toBe(true);
});
