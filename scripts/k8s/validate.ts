import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DestinationRule, Gateway, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1";
import {
  AuthorizationPolicy,
  PeerAuthentication,
  RequestAuthentication,
} from "@kubernetes-models/istio/security.istio.io/v1";
import { Ajv, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import type { Manifest } from "./kustomize.ts";

/**
 * Validates rendered objects twice: with the `kubernetes-models` classes (types, required fields,
 * formats; they let unknown fields through) and with the strict JSON schemas of
 * ../shared/schemas (Kubernetes 1.32 standalone-strict: a misspelt field anywhere fails; Istio
 * 1.25 CRD schemas: strict inside `spec`). An object whose kind has no model or schema is an error:
 * k8s/ may only use kinds the check covers.
 */

interface ModelClass {
  new (data: Manifest): { validate(): void };
}

interface Kind {
  model: ModelClass;
  /** Relative to the schema directory. */
  schema: string;
}

const KINDS: Record<string, Kind> = {
  "v1/Namespace": { model: Namespace as unknown as ModelClass, schema: "kubernetes/namespace-v1.json" },
  "v1/ConfigMap": { model: ConfigMap as unknown as ModelClass, schema: "kubernetes/configmap-v1.json" },
  "v1/Secret": { model: Secret as unknown as ModelClass, schema: "kubernetes/secret-v1.json" },
  "v1/Service": { model: Service as unknown as ModelClass, schema: "kubernetes/service-v1.json" },
  "v1/ServiceAccount": {
    model: ServiceAccount as unknown as ModelClass,
    schema: "kubernetes/serviceaccount-v1.json",
  },
  "apps/v1/Deployment": {
    model: Deployment as unknown as ModelClass,
    schema: "kubernetes/deployment-apps-v1.json",
  },
  "apps/v1/StatefulSet": {
    model: StatefulSet as unknown as ModelClass,
    schema: "kubernetes/statefulset-apps-v1.json",
  },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler as unknown as ModelClass,
    schema: "kubernetes/horizontalpodautoscaler-autoscaling-v2.json",
  },
  "policy/v1/PodDisruptionBudget": {
    model: PodDisruptionBudget as unknown as ModelClass,
    schema: "kubernetes/poddisruptionbudget-policy-v1.json",
  },
  "networking.k8s.io/v1/NetworkPolicy": {
    model: NetworkPolicy as unknown as ModelClass,
    schema: "kubernetes/networkpolicy-networking-v1.json",
  },
  "security.istio.io/v1/PeerAuthentication": {
    model: PeerAuthentication as unknown as ModelClass,
    schema: "istio/security.istio.io/peerauthentication_v1.json",
  },
  "security.istio.io/v1/AuthorizationPolicy": {
    model: AuthorizationPolicy as unknown as ModelClass,
    schema: "istio/security.istio.io/authorizationpolicy_v1.json",
  },
  "security.istio.io/v1/RequestAuthentication": {
    model: RequestAuthentication as unknown as ModelClass,
    schema: "istio/security.istio.io/requestauthentication_v1.json",
  },
  "networking.istio.io/v1/DestinationRule": {
    model: DestinationRule as unknown as ModelClass,
    schema: "istio/networking.istio.io/destinationrule_v1.json",
  },
  "networking.istio.io/v1/VirtualService": {
    model: VirtualService as unknown as ModelClass,
    schema: "istio/networking.istio.io/virtualservice_v1.json",
  },
  "networking.istio.io/v1/Gateway": {
    model: Gateway as unknown as ModelClass,
    schema: "istio/networking.istio.io/gateway_v1.json",
  },
};

/** The kinds k8s/ may use. */
export const SUPPORTED_KINDS = Object.keys(KINDS);

/**
 * Where the offline schemas are: SHOPMESH_SCHEMA_DIR, else ../shared/schemas beside the
 * repository. Throws naming both when neither exists.
 */
export function schemaDirectory(root: string): string {
  const dir = process.env.SHOPMESH_SCHEMA_DIR ?? resolve(root, "..", "shared", "schemas");
  if (!existsSync(join(dir, "kubernetes")) || !existsSync(join(dir, "skaffold"))) {
    throw new Error(
      `the offline JSON schemas are not at ${dir}: set SHOPMESH_SCHEMA_DIR to the folder holding ` +
        "kubernetes/, istio/ and skaffold/ (../shared/schemas/README.md)",
    );
  }
  return dir;
}

/**
 * ajv as ../shared/schemas/README.md prescribes: draft-07, strict, the vendor keywords known.
 * allErrors for skaffold only (its anyOf makes the first error misleading); unoptimised code, as
 * the Kubernetes schemas are large (compiling the Deployment one takes 0.8 s instead of 3.3 s).
 */
function createAjv(allErrors: boolean): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors,
    allowUnionTypes: true,
    strictRequired: false,
    validateSchema: false,
    code: { optimize: false },
  });
  // ajv-formats is CommonJS: its default export is module.exports, the plugin itself.
  (formats as unknown as (ajv: Ajv) => Ajv)(ajv);
  // Kubernetes' own formats: checked by kubernetes-models where it matters.
  for (const format of ["int32", "int64", "double", "byte", "binary"]) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  ajv.addVocabulary([
    "x-kubernetes-group-version-kind",
    "x-kubernetes-int-or-string",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-list-type",
    "x-kubernetes-map-type",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-patch-strategy",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-unions",
    "x-kubernetes-validations",
    "x-kubernetes-embedded-resource",
    "preferredOrder",
    "x-intellij-html-description",
    "x-intellij-enum-metadata",
  ]);
  return ajv;
}

export interface Validator {
  /** The problems of one object (empty when valid), each prefixed with the object's kind and name. */
  validate(object: Manifest): string[];
  /** The problems of a skaffold.yaml document. */
  validateSkaffold(config: Manifest): string[];
}

/** Creates a validator reading schemas from `schemaDir`; schemas compile once, on first use. */
export function createValidator(schemaDir: string): Validator {
  const manifests = createAjv(false);
  const skaffold = createAjv(true);
  const compiled = new Map<string, ValidateFunction>();
  const compile = (file: string): ValidateFunction => {
    const known = compiled.get(file);
    if (known) return known;
    const ajv = file.startsWith("skaffold/") ? skaffold : manifests;
    const schema = JSON.parse(readFileSync(join(schemaDir, file), "utf8")) as Record<string, unknown>;
    delete schema.$schema;
    const validate = ajv.compile(schema);
    compiled.set(file, validate);
    return validate;
  };
  const describe = (validate: ValidateFunction) =>
    (validate.errors ?? []).map((error) => {
      const extra =
        error.keyword === "additionalProperties"
          ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"`
          : "";
      return `${error.instancePath || "/"} ${error.message}${extra}`;
    });

  return {
    validate(object) {
      const id = `${object.kind}/${object.metadata?.name ?? "?"}`;
      const kind = KINDS[`${object.apiVersion}/${object.kind}`];
      if (!kind) return [`${id}: ${object.apiVersion} ${object.kind} is not a kind the checks cover`];
      const problems: string[] = [];
      try {
        new kind.model(structuredClone(object)).validate();
      } catch (error) {
        problems.push(`${id}: kubernetes-models: ${(error as Error).message}`);
      }
      const validate = compile(kind.schema);
      if (!validate(object))
        for (const message of describe(validate)) problems.push(`${id}: schema: ${message}`);
      return problems;
    },
    validateSkaffold(config) {
      const problems: string[] = [];
      // The schema does not pin the version: the file must be the one it describes.
      if (config.apiVersion !== "skaffold/v4beta14") {
        problems.push(`skaffold.yaml: apiVersion must be skaffold/v4beta14, not ${config.apiVersion}`);
      }
      const validate = compile("skaffold/v4beta14.json");
      if (!validate(config)) {
        // anyOf branches report every alternative; the additionalProperties ones name the culprit.
        const messages = describe(validate);
        const pointed = messages.filter((message) => message.includes("must NOT have additional properties"));
        for (const message of pointed.length > 0 ? pointed : messages)
          problems.push(`skaffold.yaml: ${message}`);
      }
      return problems;
    },
  };
}
