/** A request field that a field mask names wrongly; `field` is in lowerCamelCase. */
export interface FieldViolation {
  field: string;
  description: string;
}

const PATH_SEGMENT = /^[a-z][a-z0-9_]*$/;

/**
 * Checks the paths of a google.protobuf.FieldMask against the fields an update may write.
 *
 * `writable` lists leaf paths in proto (snake_case) form, e.g. `["label", "address.city",
 * "default_shipping"]`. A mask path selects a writable leaf or a message holding some (`"address"`
 * selects every `"address.*"` leaf). An empty mask means every writable field, as shopmesh's
 * Update calls document. Unknown or malformed paths become violations naming `field` (the
 * request's mask field, `updateMask` by default), every bad path at once. Pure: each service turns
 * the violations into its own domain error.
 *
 * @returns the selected leaf paths in the order of `writable`, and the violations.
 */
export function checkFieldMask(
  paths: readonly string[],
  writable: readonly string[],
  field = "updateMask",
): { leaves: string[]; violations: FieldViolation[] } {
  if (paths.length === 0) return { leaves: [...writable], violations: [] };
  const selected = new Set<string>();
  const violations: FieldViolation[] = [];
  for (const path of paths) {
    const leaves = matchPath(path, writable);
    if (leaves.length === 0) {
      violations.push({
        field,
        description: `unknown or read-only path "${path}"; writable paths: ${writable.join(", ")}`,
      });
    }
    for (const leaf of leaves) selected.add(leaf);
  }
  return { leaves: writable.filter((leaf) => selected.has(leaf)), violations };
}

function matchPath(path: string, writable: readonly string[]): string[] {
  if (!path.split(".").every((segment) => PATH_SEGMENT.test(segment))) return [];
  return writable.filter((leaf) => leaf === path || leaf.startsWith(`${path}.`));
}

/** True when `leaves` (from resolveFieldMask) selects `path` itself or any field under it. */
export function maskIncludes(leaves: readonly string[], path: string): boolean {
  return leaves.some((leaf) => leaf === path || leaf.startsWith(`${path}.`));
}

/** A proto field path in the lowerCamelCase JSON form used in violations: "address.postal_code" → "address.postalCode". */
export function toCamelPath(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Copies the selected leaves (snake_case paths, as returned by resolveFieldMask) from `source` to
 * a copy of `target`; both are plain objects with lowerCamelCase keys, like protobuf-es messages
 * and the domain's records. Nested objects on the way are copied, never mutated. A leaf missing
 * from `source` is skipped, leaving the target's value.
 */
export function applyFieldMask<T extends object>(target: T, source: object, leaves: readonly string[]): T {
  const result = { ...target } as Record<string, unknown>;
  for (const leaf of leaves) {
    const keys = toCamelPath(leaf).split(".");
    const value = readPath(source, keys);
    if (value === undefined) continue;
    writePath(result, keys, value);
  }
  return result as T;
}

function readPath(source: object, keys: readonly string[]): unknown {
  let current: unknown = source;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function writePath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const [head, ...rest] = keys;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const copy = child !== null && typeof child === "object" ? { ...(child as Record<string, unknown>) } : {};
  writePath(copy, rest, value);
  target[head] = copy;
}
