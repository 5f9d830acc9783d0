import { addEdge, type ClientGraph } from "./client-graph.ts";
import { type Manifest, resourceId } from "./kustomize.ts";
import { EXTERNAL_SECRETS, HTTP_EDGES, NAME_LABEL, NAMESPACE, RUNTIME_VARIABLES } from "./project.ts";

/**
 * The project's own rules on a rendered overlay, beyond what schemas can say (each returns
 * problems naming the object; none means the rule holds):
 *
 * - every Deployment has startup/readiness/liveness probes, CPU and memory requests and limits,
 *   the restricted security context, its own ServiceAccount, a PodDisruptionBudget and an
 *   autoscaling/v2 HPA on CPU and memory, and no `replicas` (the HPA owns it);
 * - selectors match the pod template labels (Deployments, PDBs, topology spread, Services);
 * - every Service port is named; gRPC ports are `grpc` with appProtocol grpc;
 * - every environment variable is one the workload's config reads, every referenced ConfigMap
 *   key exists, every Secret exists (or, in prod, is one of the documented external Secrets);
 * - PORT / METRICS_PORT agree with the container ports and the scrape annotation;
 * - a workload that calls another has its <NAME>_ADDRESS set, and every variable whose default
 *   points at the local machine (a URL of 127.0.0.1 or localhost) is set;
 * - the development infrastructure admits exactly the workloads configured with its URL.
 */

export interface RuleOptions {
  /** Which Secrets must be defined in the render ("defined"), or exist outside it ("external"). */
  secrets: "defined" | "external" | "unchecked";
  /** dev and debug let skaffold's file sync write into the app containers. */
  allowWritableRoot?: boolean;
  /** debug drops liveness probes (a process paused at a breakpoint must not be restarted). */
  allowMissingLiveness?: boolean;
  /** The config shape (variable names) each workload reads; absent: not written yet, not checked. */
  configVariables?: Record<string, Set<string>>;
  /** caller → targets it calls over gRPC (the client graph). */
  calls?: Record<string, string[]>;
  /** Variables each workload must be given in a cluster: their defaults point at 127.0.0.1/localhost. */
  localDefaults?: Record<string, string[]>;
}

type Labels = Record<string, string>;

/** Whether a label selector (matchLabels + matchExpressions) selects these labels. */
export function selects(selector: Manifest | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries((selector.matchLabels ?? {}) as Labels)) {
    if (labels[key] !== value) return false;
  }
  for (const expression of (selector.matchExpressions ?? []) as Manifest[]) {
    const value = labels[expression.key];
    const values = (expression.values ?? []) as string[];
    switch (expression.operator) {
      case "In":
        if (value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (value === undefined) return false;
        break;
      case "DoesNotExist":
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function podSpec(workload: Manifest): Manifest {
  return workload.spec?.template?.spec ?? {};
}

function templateLabels(workload: Manifest): Labels {
  return (workload.spec?.template?.metadata?.labels ?? {}) as Labels;
}

function containersOf(workload: Manifest): Manifest[] {
  const spec = podSpec(workload);
  return [...((spec.initContainers ?? []) as Manifest[]), ...((spec.containers ?? []) as Manifest[])];
}

function sameNamespace(a: Manifest, b: Manifest): boolean {
  return (a.metadata.namespace ?? "") === (b.metadata.namespace ?? "");
}

/** Every problem of the project's rules in one rendered overlay. */
export function checkRules(objects: Manifest[], options: RuleOptions): string[] {
  const problems: string[] = [];
  const of = (kind: string) => objects.filter((object) => object.kind === kind);
  const deployments = of("Deployment");
  const statefulSets = of("StatefulSet");
  const workloads = [...deployments, ...statefulSets];
  const configMaps = of("ConfigMap");
  const secrets = of("Secret");

  for (const workload of workloads) {
    const id = resourceId(workload);
    const labels = templateLabels(workload);
    const spec = podSpec(workload);
    if (
      !selects(workload.spec?.selector, labels) ||
      Object.keys(workload.spec?.selector?.matchLabels ?? {}).length === 0
    ) {
      problems.push(`${id}: spec.selector does not select the pod template's labels`);
    }
    if (spec.securityContext?.runAsNonRoot !== true)
      problems.push(`${id}: pod securityContext.runAsNonRoot must be true`);
    if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") {
      problems.push(`${id}: pod securityContext.seccompProfile must be RuntimeDefault`);
    }
    if (spec.automountServiceAccountToken !== false) {
      problems.push(
        `${id}: automountServiceAccountToken must be false (nothing here talks to the API server)`,
      );
    }
    for (const container of containersOf(workload)) {
      const where = `${id} container ${container.name}`;
      const context = container.securityContext ?? {};
      if (context.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation must be false`);
      if (
        context.readOnlyRootFilesystem !== true &&
        !(options.allowWritableRoot && workload.kind === "Deployment")
      ) {
        problems.push(`${where}: readOnlyRootFilesystem must be true`);
      }
      if (!((context.capabilities?.drop ?? []) as string[]).includes("ALL")) {
        problems.push(`${where}: capabilities.drop must include ALL`);
      }
      const resources = container.resources ?? {};
      for (const field of ["requests.cpu", "requests.memory", "limits.memory"]) {
        const [group, name] = field.split(".") as [string, string];
        if (resources[group]?.[name] === undefined) problems.push(`${where}: resources.${field} is missing`);
      }
      const probes = [
        "startupProbe",
        "readinessProbe",
        ...(options.allowMissingLiveness ? [] : ["livenessProbe"]),
      ];
      for (const probe of probes) if (!container[probe]) problems.push(`${where}: ${probe} is missing`);
      checkEnvironment(workload, container, where, configMaps, secrets, options, problems);
    }
  }

  for (const deployment of deployments) {
    const id = resourceId(deployment);
    const name = deployment.metadata.name as string;
    const labels = templateLabels(deployment);
    const spec = podSpec(deployment);
    const containers = (spec.containers ?? []) as Manifest[];
    if (deployment.spec.replicas !== undefined) {
      problems.push(`${id}: remove spec.replicas, its HorizontalPodAutoscaler owns the count`);
    }
    for (const container of containers) {
      if (container.resources?.limits?.cpu === undefined)
        problems.push(`${id} container ${container.name}: resources.limits.cpu is missing`);
    }
    const account = spec.serviceAccountName;
    if (!account || account === "default") {
      problems.push(`${id}: needs its own serviceAccountName (its mesh identity)`);
    } else if (
      !of("ServiceAccount").some((sa) => sa.metadata.name === account && sameNamespace(sa, deployment))
    ) {
      problems.push(`${id}: ServiceAccount ${account} is not in the render`);
    }
    const pdbs = of("PodDisruptionBudget").filter(
      (pdb) => sameNamespace(pdb, deployment) && selects(pdb.spec?.selector, labels),
    );
    if (pdbs.length !== 1)
      problems.push(`${id}: needs exactly one PodDisruptionBudget selecting its pods (found ${pdbs.length})`);
    const hpas = of("HorizontalPodAutoscaler").filter(
      (hpa) =>
        sameNamespace(hpa, deployment) &&
        hpa.apiVersion === "autoscaling/v2" &&
        hpa.spec?.scaleTargetRef?.kind === "Deployment" &&
        hpa.spec?.scaleTargetRef?.name === name,
    );
    if (hpas.length !== 1) {
      problems.push(`${id}: needs exactly one autoscaling/v2 HorizontalPodAutoscaler (found ${hpas.length})`);
    } else {
      const resources = ((hpas[0]!.spec.metrics ?? []) as Manifest[])
        .filter((metric) => metric.type === "Resource")
        .map((metric) => metric.resource?.name);
      for (const resource of ["cpu", "memory"]) {
        if (!resources.includes(resource)) problems.push(`${id}: its HPA does not scale on ${resource}`);
      }
    }
    const spread = (spec.topologySpreadConstraints ?? []) as Manifest[];
    if (spread.length === 0) problems.push(`${id}: needs topologySpreadConstraints`);
    for (const constraint of spread) {
      if (!selects(constraint.labelSelector, labels)) {
        problems.push(`${id}: a topology spread constraint does not select its own pods`);
      }
    }
    checkPorts(deployment, problems);
  }

  for (const service of of("Service")) {
    const id = resourceId(service);
    const selector = (service.spec?.selector ?? {}) as Labels;
    const ports = (service.spec?.ports ?? []) as Manifest[];
    for (const port of ports) if (!port.name) problems.push(`${id}: port ${port.port} has no name`);
    const backends = workloads.filter(
      (workload) =>
        sameNamespace(workload, service) &&
        Object.keys(selector).length > 0 &&
        selects({ matchLabels: selector }, templateLabels(workload)),
    );
    if (backends.length !== 1) {
      problems.push(
        `${id}: its selector must match the pod template labels of exactly one workload (found ${backends.length})`,
      );
      continue;
    }
    const containerPorts = containersOf(backends[0]!).flatMap(
      (container) => (container.ports ?? []) as Manifest[],
    );
    for (const port of ports) {
      const target = port.targetPort ?? port.port;
      const found =
        typeof target === "string"
          ? containerPorts.some((containerPort) => containerPort.name === target)
          : containerPorts.some((containerPort) => containerPort.containerPort === target);
      if (!found)
        problems.push(`${id}: targetPort ${target} is no container port of ${backends[0]!.metadata.name}`);
      if (port.name === "grpc" && port.appProtocol !== "grpc")
        problems.push(`${id}: port grpc needs appProtocol: grpc`);
    }
  }

  checkAddresses(deployments, configMaps, options, problems);
  checkHttpEdges(deployments, configMaps, problems);
  checkInfraAccess(objects, problems);
  return problems;
}

function checkPorts(deployment: Manifest, problems: string[]): void {
  const id = resourceId(deployment);
  const annotations = (deployment.spec.template.metadata?.annotations ?? {}) as Labels;
  for (const container of (podSpec(deployment).containers ?? []) as Manifest[]) {
    const env = new Map(
      ((container.env ?? []) as Manifest[]).map((variable) => [variable.name, variable.value]),
    );
    const ports = new Map(
      ((container.ports ?? []) as Manifest[]).map((port) => [port.name, port.containerPort]),
    );
    const serving = ports.get("grpc") ?? ports.get("http");
    if (serving === undefined) {
      problems.push(`${id}: the container has no port named grpc or http`);
      continue;
    }
    if (env.get("PORT") !== String(serving))
      problems.push(`${id}: PORT must be ${serving}, its serving port`);
    const metrics = ports.get("http-metrics") ?? (ports.has("http") ? serving : undefined);
    if (ports.has("grpc") && env.get("METRICS_PORT") !== String(metrics)) {
      problems.push(`${id}: METRICS_PORT must equal its http-metrics container port`);
    }
    if (annotations["prometheus.io/port"] !== String(metrics)) {
      problems.push(`${id}: prometheus.io/port must name the metrics port ${metrics}`);
    }
    const probe = container.readinessProbe ?? {};
    if (ports.has("grpc") && probe.grpc?.port !== serving)
      problems.push(`${id}: gRPC workloads use native gRPC probes on ${serving}`);
    if (ports.has("http") && !probe.httpGet) problems.push(`${id}: the BFF uses HTTP probes`);
  }
}

function checkEnvironment(
  workload: Manifest,
  container: Manifest,
  where: string,
  configMaps: Manifest[],
  secrets: Manifest[],
  options: RuleOptions,
  problems: string[],
): void {
  const name = workload.metadata.labels?.[NAME_LABEL] ?? workload.metadata.name;
  const known = workload.kind === "Deployment" ? options.configVariables?.[name] : undefined;
  const set = new Set(((container.env ?? []) as Manifest[]).map((variable) => variable.name as string));
  if (workload.kind === "Deployment") {
    for (const required of options.localDefaults?.[name] ?? []) {
      if (!set.has(required))
        problems.push(`${where}: ${required} must be set (its default points at this machine)`);
    }
  }
  for (const variable of (container.env ?? []) as Manifest[]) {
    if (known && !known.has(variable.name) && !RUNTIME_VARIABLES.has(variable.name)) {
      problems.push(`${where}: ${variable.name} is not a variable ${name}'s config reads`);
    }
    const configRef = variable.valueFrom?.configMapKeyRef;
    if (configRef) {
      const map = configMaps.find((cm) => cm.metadata.name === configRef.name && sameNamespace(cm, workload));
      if (!map) problems.push(`${where}: ConfigMap ${configRef.name} is not in the render`);
      else if (map.data?.[configRef.key] === undefined)
        problems.push(`${where}: ConfigMap ${configRef.name} has no ${configRef.key}`);
    }
    const secretRef = variable.valueFrom?.secretKeyRef;
    if (secretRef) checkSecret(secretRef, workload, where, secrets, options, problems);
  }
  for (const volume of (podSpec(workload).volumes ?? []) as Manifest[]) {
    if (volume.secret) {
      for (const item of (volume.secret.items ?? [{ key: undefined }]) as Manifest[]) {
        checkSecret(
          { name: volume.secret.secretName, key: item.key },
          workload,
          where,
          secrets,
          options,
          problems,
        );
      }
    }
  }
}

function checkSecret(
  ref: Manifest,
  workload: Manifest,
  where: string,
  secrets: Manifest[],
  options: RuleOptions,
  problems: string[],
): void {
  if (options.secrets === "unchecked") return;
  if (options.secrets === "external") {
    const keys = EXTERNAL_SECRETS[ref.name];
    if (!keys) problems.push(`${where}: Secret ${ref.name} is not one of the documented external Secrets`);
    else if (ref.key !== undefined && !keys.includes(ref.key)) {
      problems.push(`${where}: the documented external Secret ${ref.name} has no key ${ref.key}`);
    }
    if (secrets.some((secret) => secret.metadata.name === ref.name)) {
      problems.push(`${where}: Secret ${ref.name} must not be committed to the prod overlay`);
    }
    return;
  }
  const secret = secrets.find(
    (candidate) => candidate.metadata.name === ref.name && sameNamespace(candidate, workload),
  );
  if (!secret) {
    if (!ref.optional) problems.push(`${where}: Secret ${ref.name} is not in the render`);
    return;
  }
  const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
  if (ref.key !== undefined && !keys.has(ref.key))
    problems.push(`${where}: Secret ${ref.name} has no key ${ref.key}`);
}

/** The value of an env var: literal, or the ConfigMap key it names. */
function envValue(workload: Manifest, name: string, configMaps: Manifest[]): string | undefined {
  for (const container of (podSpec(workload).containers ?? []) as Manifest[]) {
    for (const variable of (container.env ?? []) as Manifest[]) {
      if (variable.name !== name) continue;
      if (variable.value !== undefined) return variable.value;
      const ref = variable.valueFrom?.configMapKeyRef;
      if (ref) return configMaps.find((cm) => cm.metadata.name === ref.name)?.data?.[ref.key];
    }
  }
  return undefined;
}

function checkAddresses(
  deployments: Manifest[],
  configMaps: Manifest[],
  options: RuleOptions,
  problems: string[],
): void {
  for (const [caller, targets] of Object.entries(options.calls ?? {})) {
    const deployment = deployments.find((d) => d.metadata.name === caller);
    if (!deployment) continue;
    for (const target of targets) {
      const variable = `${target.toUpperCase()}_ADDRESS`;
      const value = envValue(deployment, variable, configMaps);
      const service = deployments.find((d) => d.metadata.name === target);
      const port = ((service && podSpec(service).containers?.[0]?.ports) ?? []).find(
        (p: Manifest) => p.name === "grpc",
      )?.containerPort;
      if (value === undefined)
        problems.push(`${resourceId(deployment)}: calls ${target} but ${variable} is not set`);
      else if (port !== undefined && value !== `${target}:${port}`) {
        problems.push(`${resourceId(deployment)}: ${variable} is ${value}, not ${target}:${port}`);
      }
    }
  }
}

function checkHttpEdges(deployments: Manifest[], configMaps: Manifest[], problems: string[]): void {
  for (const edge of HTTP_EDGES) {
    const caller = deployments.find((d) => d.metadata.name === edge.caller);
    if (!caller) continue;
    const value = envValue(caller, edge.variable, configMaps);
    let url: URL | undefined;
    try {
      url = value ? new URL(value) : undefined;
    } catch {}
    if (!url || url.hostname.split(".")[0] !== edge.target || url.pathname !== edge.path) {
      problems.push(
        `${resourceId(caller)}: ${edge.variable} (${value ?? "unset"}) must point at ${edge.target}${edge.path}, as HTTP_EDGES declares`,
      );
    }
  }
}

const INFRA_VARIABLES: Record<string, string> = {
  postgres: "DATABASE_URL",
  nats: "NATS_URL",
  redis: "REDIS_URL",
  mailpit: "SMTP_URL",
};

function checkInfraAccess(objects: Manifest[], problems: string[]): void {
  const deployments = objects.filter((object) => object.kind === "Deployment");
  for (const [infra, variable] of Object.entries(INFRA_VARIABLES)) {
    if (!objects.some((object) => object.kind === "StatefulSet" && object.metadata.name === infra)) continue;
    const users = deployments
      .filter((d) =>
        ((podSpec(d).containers ?? []) as Manifest[]).some((c) =>
          ((c.env ?? []) as Manifest[]).some((env) => env.name === variable),
        ),
      )
      .map((d) => d.metadata.name as string)
      .sort();
    const policy = objects.find(
      (object) =>
        object.kind === "NetworkPolicy" &&
        selects(object.spec?.podSelector, { [NAME_LABEL]: infra }) &&
        Object.keys(object.spec?.podSelector ?? {}).length > 0,
    );
    const admitted = deployments
      .filter((d) =>
        ((policy?.spec?.ingress ?? []) as Manifest[]).some((rule) =>
          ((rule.from ?? []) as Manifest[]).some(
            (peer) =>
              peer.podSelector && !peer.namespaceSelector && selects(peer.podSelector, templateLabels(d)),
          ),
        ),
      )
      .map((d) => d.metadata.name as string)
      .sort();
    if (JSON.stringify(users) !== JSON.stringify(admitted)) {
      problems.push(
        `NetworkPolicy of ${infra}: admits [${admitted.join(", ")}] but the workloads with ${variable} are [${users.join(", ")}]`,
      );
    }
  }
}

/** Every object in the namespace it belongs to: shopmesh, or istio-system for the gateway's policy. */
export function checkNamespaces(objects: Manifest[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (object.kind === "Namespace") continue;
    const expected = object.kind === "RequestAuthentication" ? "istio-system" : NAMESPACE;
    if (object.metadata.namespace !== expected) {
      problems.push(`${resourceId(object)}: belongs in namespace ${expected}`);
    }
  }
  return problems;
}

/** Images of every container of every workload. */
export function imagesOf(objects: Manifest[]): string[] {
  return objects
    .filter((object) => object.kind === "Deployment" || object.kind === "StatefulSet")
    .flatMap((workload) => containersOf(workload).map((container) => container.image as string));
}

/**
 * Every shopmesh image of the render is a skaffold artifact and every artifact is used; other
 * images (the development infrastructure) carry an explicit version tag.
 */
export function checkImages(objects: Manifest[], artifacts: string[], where: string): string[] {
  const problems: string[] = [];
  const images = new Set(imagesOf(objects));
  const own = [...images].filter((image) => image.startsWith("shopmesh/"));
  for (const image of own) {
    if (!artifacts.includes(image)) problems.push(`${where}: image ${image} is not a skaffold artifact`);
  }
  for (const artifact of artifacts) {
    if (!images.has(artifact))
      problems.push(`${where}: skaffold artifact ${artifact} is used by no workload`);
  }
  for (const image of images) {
    if (image.startsWith("shopmesh/")) {
      if (image.includes(":") || image.includes("@"))
        problems.push(`${where}: ${image} must be untagged, skaffold tags it`);
      continue;
    }
    const tag = /:([^/@]+)$/.exec(image)?.[1];
    if (!tag || tag === "latest") problems.push(`${where}: third-party image ${image} needs a version tag`);
  }
  return problems;
}

/** caller → target → paths, read back from the rendered ALLOW AuthorizationPolicies' gRPC rules. */
export function authorizationGraph(objects: Manifest[]): { graph: ClientGraph; other: string[] } {
  const graph: ClientGraph = {};
  const other: string[] = [];
  const prefix = `cluster.local/ns/${NAMESPACE}/sa/`;
  for (const policy of objects.filter((object) => object.kind === "AuthorizationPolicy")) {
    const target = policy.spec?.selector?.matchLabels?.[NAME_LABEL] as string | undefined;
    if (policy.spec?.action !== undefined && policy.spec.action !== "ALLOW") {
      other.push(`${policy.metadata.name}: action ${policy.spec.action}`);
      continue;
    }
    for (const rule of (policy.spec?.rules ?? []) as Manifest[]) {
      const principals = ((rule.from ?? []) as Manifest[]).flatMap(
        (from) => (from.source?.principals ?? []) as string[],
      );
      const operations = ((rule.to ?? []) as Manifest[]).map((to) => to.operation ?? {});
      const paths = operations.flatMap((operation) => (operation.paths ?? []) as string[]);
      const grpc =
        paths.length > 0 && paths.every((path) => /^\/[a-z0-9_.]+\.[A-Z]\w*\/[A-Z]\w*$/.test(path));
      if (!target || !grpc) {
        other.push(
          `${policy.metadata.name}: from [${principals.join(", ")}] to ${JSON.stringify(operations)}`,
        );
        continue;
      }
      for (const principal of principals) {
        if (!principal.startsWith(prefix)) {
          other.push(`${policy.metadata.name}: principal ${principal} is not a ${NAMESPACE} service account`);
          continue;
        }
        for (const path of paths) addEdge(graph, principal.slice(prefix.length), target, path);
      }
    }
  }
  for (const targets of Object.values(graph)) for (const list of Object.values(targets)) list.sort();
  return { graph, other };
}
