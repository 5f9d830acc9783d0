/**
 * Where the units of an order come from. Pure: given the available stock of the requested SKUs
 * in the active warehouses, it decides; the store applies the decision under row locks.
 *
 * The rule, over warehouses in priority order (lower priority first, ties by code):
 *   1. if one warehouse can fill every line, the whole order comes from the first such warehouse
 *      (one parcel);
 *   2. otherwise each line comes whole from the first warehouse that can fill it;
 *   3. otherwise the line is split: as much as each warehouse has, in priority order.
 * If any line cannot be filled by all warehouses together, nothing is allocated: the result
 * lists every short line.
 */

/** The available units of one SKU in one active warehouse. */
export interface WarehouseStock {
  sku: string;
  warehouseId: string;
  /** The warehouse's code: breaks priority ties so the choice is deterministic. */
  code: string;
  priority: number;
  available: number;
}

export interface LineRequest {
  sku: string;
  quantity: number;
}

export interface Allocation {
  warehouseId: string;
  quantity: number;
}

export interface AllocatedLine extends LineRequest {
  /** Quantities add up to the line's quantity; in priority order. */
  allocations: Allocation[];
}

/** A line that cannot be filled: what was asked and what all warehouses have together. */
export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export type AllocationResult = { ok: true; lines: AllocatedLine[] } | { ok: false; shortages: Shortage[] };

/** Allocates `lines` (distinct SKUs) from `stock` by the rule above. */
export function allocate(lines: readonly LineRequest[], stock: readonly WarehouseStock[]): AllocationResult {
  const bySku = new Map<string, WarehouseStock[]>();
  for (const entry of [...stock].sort(byPriority)) {
    if (entry.available <= 0) continue;
    const list = bySku.get(entry.sku) ?? [];
    list.push(entry);
    bySku.set(entry.sku, list);
  }

  const shortages: Shortage[] = [];
  for (const line of lines) {
    const total = (bySku.get(line.sku) ?? []).reduce((sum, entry) => sum + entry.available, 0);
    if (total < line.quantity) shortages.push({ sku: line.sku, requested: line.quantity, available: total });
  }
  if (shortages.length > 0) return { ok: false, shortages };

  const single = singleWarehouse(lines, bySku);
  if (single !== undefined) {
    return {
      ok: true,
      lines: lines.map((line) => ({
        ...line,
        allocations: [{ warehouseId: single, quantity: line.quantity }],
      })),
    };
  }
  return { ok: true, lines: lines.map((line) => allocateLine(line, bySku.get(line.sku) ?? [])) };
}

/** The first warehouse, in priority order, that can fill every line; undefined when none can. */
function singleWarehouse(
  lines: readonly LineRequest[],
  bySku: ReadonlyMap<string, WarehouseStock[]>,
): string | undefined {
  const [first, ...rest] = lines;
  if (!first) return undefined;
  const candidates = (bySku.get(first.sku) ?? []).filter((entry) => entry.available >= first.quantity);
  return candidates.find((candidate) =>
    rest.every((line) =>
      (bySku.get(line.sku) ?? []).some(
        (entry) => entry.warehouseId === candidate.warehouseId && entry.available >= line.quantity,
      ),
    ),
  )?.warehouseId;
}

/** Steps 2 and 3 for one line whose total is known to suffice. */
function allocateLine(line: LineRequest, ordered: readonly WarehouseStock[]): AllocatedLine {
  const whole = ordered.find((entry) => entry.available >= line.quantity);
  if (whole) return { ...line, allocations: [{ warehouseId: whole.warehouseId, quantity: line.quantity }] };
  const allocations: Allocation[] = [];
  let missing = line.quantity;
  for (const entry of ordered) {
    if (missing === 0) break;
    const take = Math.min(entry.available, missing);
    allocations.push({ warehouseId: entry.warehouseId, quantity: take });
    missing -= take;
  }
  return { ...line, allocations };
}

function byPriority(a: WarehouseStock, b: WarehouseStock): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.warehouseId < b.warehouseId ? -1 : a.warehouseId > b.warehouseId ? 1 : 0;
}
