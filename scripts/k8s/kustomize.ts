import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";

/**
 * A small, offline `kustomize build` for the subset of kustomization.yaml that k8s/ uses, so the
 * manifests can be rendered and checked without a kustomize or kubectl binary. For that subset the
 * output equals kustomize v5's (transformers in kustomize's order: patches, namespace, labels;
 * output in `sortOptions: fifo` order). Anything outside the subset is an error naming the field,
 * never silently ignored:
 *
 * - `resources`: YAML files (several documents each) and directories holding a kustomization;
 * - `namespace`: sets metadata.namespace of namespaced objects, and renames a Namespace object
 *   (kustomize's field specs do both);
 * - `labels` with `pairs` only (includeSelectors/includeTemplates false): metadata.labels of
 *   every object;
 * - `patches`: inline JSON 6902 operations with a `target` (group/version/kind/name/namespace as
 *   anchored regular expressions, labelSelector as `key=value,...`);
 * - `sortOptions: { order: fifo }`, required at the top level.
 *
 * No generators (configMapGenerator/secretGenerator would add hash suffixes and rewrite
 * references), no name prefixes, no images transformer: k8s/ does not use them.
 */

// biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary JSON
export type Manifest = Record<string, any>;

const KNOWN_FIELDS = new Set([
  "apiVersion",
  "kind",
  "resources",
  "namespace",
  "labels",
  "patches",
  "sortOptions",
]);

/** Kinds kustomize treats as cluster-scoped that may appear here; anything else gets the namespace. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

export class KustomizeError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = "KustomizeError";
  }
}

/** Renders the kustomization in `dir` like `kustomize build dir`. */
export function kustomizeBuild(dir: string): Manifest[] {
  const kustomization = readKustomization(dir);
  const order = kustomization.sortOptions?.order;
  if (order !== "fifo") {
    throw new KustomizeError(
      kustomizationFile(dir),
      "set `sortOptions: { order: fifo }`: this renderer does not reproduce kustomize's legacy sort",
    );
  }
  return build(dir, new Set());
}

function kustomizationFile(dir: string): string {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new KustomizeError(dir, "no kustomization.yaml");
}

function readKustomization(dir: string): Manifest {
  const file = kustomizationFile(dir);
  const k = parseYaml(readFileSync(file, "utf8")) as Manifest;
  for (const key of Object.keys(k)) {
    if (!KNOWN_FIELDS.has(key)) throw new KustomizeError(file, `field "${key}" is not supported here`);
  }
  if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k.kind !== "Kustomization") {
    throw new KustomizeError(file, "must be apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization");
  }
  if (k.sortOptions !== undefined) {
    const keys = Object.keys(k.sortOptions);
    if (keys.some((key) => key !== "order") || !["fifo", "legacy"].includes(k.sortOptions.order)) {
      throw new KustomizeError(file, "sortOptions must be { order: fifo }");
    }
  }
  return k;
}

function build(dir: string, visiting: Set<string>): Manifest[] {
  const here = resolve(dir);
  if (visiting.has(here)) throw new KustomizeError(here, "kustomizations include each other");
  visiting.add(here);
  const file = kustomizationFile(here);
  const k = readKustomization(here);
  let objects: Manifest[] = [];
  for (const entry of (k.resources ?? []) as unknown[]) {
    if (typeof entry !== "string") throw new KustomizeError(file, "resources entries must be paths");
    if (/^[a-z]+:\/\//.test(entry))
      throw new KustomizeError(file, `remote resource ${entry} is not supported`);
    const path = resolve(here, entry);
    if (!existsSync(path)) throw new KustomizeError(file, `resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? build(path, visiting) : readManifests(path)));
  }
  visiting.delete(here);
  assertUniqueIds(objects, file);

  for (const [index, patch] of ((k.patches ?? []) as Manifest[]).entries()) {
    objects = applyPatch(objects, patch, `${file} patches[${index}]`);
  }
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== "string" || k.namespace === "") {
      throw new KustomizeError(file, "namespace must be a name");
    }
    for (const object of objects) setNamespace(object, k.namespace);
  }
  for (const [index, label] of ((k.labels ?? []) as Manifest[]).entries()) {
    const where = `${file} labels[${index}]`;
    for (const key of Object.keys(label)) {
      if (key === "pairs") continue;
      if ((key === "includeSelectors" || key === "includeTemplates") && label[key] === false) continue;
      throw new KustomizeError(where, `"${key}" is not supported (only pairs)`);
    }
    for (const object of objects) {
      object.metadata.labels = { ...(object.metadata.labels ?? {}), ...stringPairs(label.pairs, where) };
    }
  }
  assertUniqueIds(objects, file);
  return objects;
}

function stringPairs(pairs: unknown, where: string): Record<string, string> {
  if (!pairs || typeof pairs !== "object") throw new KustomizeError(where, "pairs must be a map");
  for (const value of Object.values(pairs)) {
    if (typeof value !== "string") throw new KustomizeError(where, "label values must be strings");
  }
  return pairs as Record<string, string>;
}

/** Every document of a YAML file; empty documents are skipped, as kustomize does. */
export function readManifests(path: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
    if (doc.errors.length > 0) throw new KustomizeError(path, doc.errors[0]!.message);
    const value = doc.toJS() as Manifest | null;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new KustomizeError(path, "every document must be an object");
    }
    if (typeof value.kind !== "string" || typeof value.apiVersion !== "string") {
      throw new KustomizeError(path, "every object needs apiVersion and kind");
    }
    if (value.kind === "List" || value.kind.endsWith("List")) {
      throw new KustomizeError(path, `${value.kind} objects are not supported`);
    }
    if (typeof value.metadata?.name !== "string" || value.metadata.name === "") {
      throw new KustomizeError(path, `a ${value.kind} without metadata.name`);
    }
    out.push(value);
  }
  return out;
}

/** "group/version/Kind namespace/name", kustomize's resource id. */
export function resourceId(object: Manifest): string {
  return `${object.apiVersion}/${object.kind} ${object.metadata?.namespace ?? "~"}/${object.metadata?.name}`;
}

function assertUniqueIds(objects: Manifest[], where: string): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = resourceId(object);
    if (seen.has(id)) throw new KustomizeError(where, `${id} is defined twice`);
    seen.add(id);
  }
}

function setNamespace(object: Manifest, namespace: string): void {
  if (object.kind === "Namespace") {
    object.metadata.name = namespace;
    return;
  }
  if (object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") {
    throw new KustomizeError(resourceId(object), "role bindings are not supported by this renderer");
  }
  if (CLUSTER_SCOPED.has(object.kind)) return;
  object.metadata.namespace = namespace;
}

// ---- patches ---------------------------------------------------------------------------------

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

const TARGET_FIELDS = new Set(["group", "version", "kind", "name", "namespace", "labelSelector"]);

function applyPatch(objects: Manifest[], patch: Manifest, where: string): Manifest[] {
  for (const key of Object.keys(patch)) {
    if (key !== "patch" && key !== "target") {
      throw new KustomizeError(where, `"${key}" is not supported (inline patch + target only)`);
    }
  }
  if (typeof patch.patch !== "string") throw new KustomizeError(where, "patch must be inline text");
  const operations = parseYaml(patch.patch) as unknown;
  if (!Array.isArray(operations)) {
    throw new KustomizeError(where, "only JSON 6902 patches (a list of operations) are supported");
  }
  const target = patch.target as Target | undefined;
  if (!target || typeof target !== "object")
    throw new KustomizeError(where, "a JSON 6902 patch needs a target");
  for (const key of Object.keys(target)) {
    if (!TARGET_FIELDS.has(key)) throw new KustomizeError(where, `target.${key} is not supported`);
  }
  let matched = 0;
  const out = objects.map((object) => {
    if (!matches(object, target)) return object;
    matched++;
    let document: unknown = object;
    for (const [index, operation] of operations.entries()) {
      document = applyOperation(
        document,
        operation as Manifest,
        `${where} [${index}] on ${resourceId(object)}`,
      );
    }
    return document as Manifest;
  });
  // kustomize accepts a patch that matches nothing; here it is almost always a typo, so refuse it.
  if (matched === 0) throw new KustomizeError(where, `target ${JSON.stringify(target)} matches no object`);
  return out;
}

function anchored(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
}

function matches(object: Manifest, target: Target): boolean {
  const [group, version] = object.apiVersion.includes("/")
    ? (object.apiVersion as string).split("/")
    : ["", object.apiVersion as string];
  if (!anchored(target.group, group ?? "")) return false;
  if (!anchored(target.version, version ?? "")) return false;
  if (!anchored(target.kind, object.kind)) return false;
  if (!anchored(target.name, object.metadata.name)) return false;
  if (!anchored(target.namespace, object.metadata.namespace ?? "")) return false;
  if (target.labelSelector !== undefined) {
    const labels = (object.metadata.labels ?? {}) as Record<string, string>;
    for (const term of target.labelSelector.split(",")) {
      const found = /^\s*([^=!\s]+)\s*(==|=|!=)\s*([^\s]*)\s*$/.exec(term);
      if (!found) throw new KustomizeError("labelSelector", `"${term}" is not key=value or key!=value`);
      const [, key, op, value] = found;
      const equal = labels[key!] === value;
      if (op === "!=" ? equal : !equal) return false;
    }
  }
  return true;
}

/** RFC 6901 pointer tokens. */
function pointer(path: unknown, where: string): string[] {
  if (typeof path !== "string" || (path !== "" && !path.startsWith("/"))) {
    throw new KustomizeError(where, `path ${JSON.stringify(path)} is not a JSON pointer`);
  }
  if (path === "") return [];
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The parent container of a pointer and the last token; throws when a step is missing. */
function locate(document: unknown, tokens: string[], where: string): { parent: unknown; key: string } {
  let node = document;
  for (const token of tokens.slice(0, -1)) {
    node = child(node, token, where);
  }
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function child(node: unknown, token: string, where: string): unknown {
  if (Array.isArray(node)) {
    const index = arrayIndex(token, node.length - 1, where);
    return node[index];
  }
  if (node && typeof node === "object" && Object.hasOwn(node, token)) return (node as Manifest)[token];
  throw new KustomizeError(where, `no "${token}" to walk through`);
}

function arrayIndex(token: string, max: number, where: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new KustomizeError(where, `"${token}" is not an array index`);
  const index = Number(token);
  if (index > max) throw new KustomizeError(where, `index ${index} is out of range`);
  return index;
}

function get(document: unknown, tokens: string[], where: string): unknown {
  let node = document;
  for (const token of tokens) node = child(node, token, where);
  return node;
}

function remove(document: unknown, tokens: string[], where: string): unknown {
  if (tokens.length === 0) throw new KustomizeError(where, "cannot remove the whole document");
  const { parent, key } = locate(document, tokens, where);
  const value = child(parent, key, where);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Manifest)[key];
  return value;
}

function add(document: unknown, tokens: string[], value: unknown, where: string): unknown {
  if (tokens.length === 0) return value;
  const { parent, key } = locate(document, tokens, where);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : arrayIndex(key, parent.length, where);
    parent.splice(index, 0, value);
  } else if (parent && typeof parent === "object") {
    (parent as Manifest)[key] = value;
  } else {
    throw new KustomizeError(where, "the parent of the path is not an object or array");
  }
  return document;
}

function applyOperation(document: unknown, operation: Manifest, where: string): unknown {
  const doc = clone(document);
  const tokens = pointer(operation.path, where);
  switch (operation.op) {
    case "add":
      if (!("value" in operation)) throw new KustomizeError(where, "add needs a value");
      return add(doc, tokens, clone(operation.value), where);
    case "remove":
      remove(doc, tokens, where);
      return doc;
    case "replace":
      if (!("value" in operation)) throw new KustomizeError(where, "replace needs a value");
      remove(doc, tokens, where);
      return add(doc, tokens, clone(operation.value), where);
    case "move": {
      const from = pointer(operation.from, where);
      const value = remove(doc, from, where);
      return add(doc, tokens, value, where);
    }
    case "copy": {
      const value = clone(get(doc, pointer(operation.from, where), where));
      return add(doc, tokens, value, where);
    }
    case "test": {
      const actual = get(doc, tokens, where);
      if (!deepEqual(actual, operation.value)) {
        throw new KustomizeError(where, `test failed: ${JSON.stringify(actual)}`);
      }
      return doc;
    }
    default:
      throw new KustomizeError(where, `unknown op ${JSON.stringify(operation.op)}`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => deepEqual((a as Manifest)[key], (b as Manifest)[key]));
}
