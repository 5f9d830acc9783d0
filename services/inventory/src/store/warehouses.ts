import { type EntityManager, isUniqueViolation } from "@shopmesh/kit/db";
import { alreadyExists } from "@shopmesh/kit/errors";
import type { PostalAddress, Warehouse } from "../domain/warehouse.ts";
import { WarehouseRow } from "./entities.ts";
import { WAREHOUSES_CODE_CONSTRAINT } from "./migrations.ts";
import { type LockOption, toDate } from "./sql.ts";

/** Where a page of warehouses starts: after this (priority, code). */
export interface WarehouseCursor {
  priority: number;
  code: string;
}

export interface WarehouseRepository {
  byId(id: string, options?: LockOption): Promise<Warehouse | undefined>;
  /** Throws the domain's alreadyExists() when the code is taken (also under a race). */
  insert(warehouse: Warehouse): Promise<void>;
  /** Throws alreadyExists() when the new code is taken. */
  update(warehouse: Warehouse): Promise<void>;
  /** In allocation order (priority, code), at most `limit`; inactive ones only when asked. */
  list(showInactive: boolean, after: WarehouseCursor | undefined, limit: number): Promise<Warehouse[]>;
}

const COLUMNS = `id, code, name, address, priority, active, create_time as "createTime", update_time as "updateTime"`;

export function createWarehouseRepository(em: EntityManager): WarehouseRepository {
  const codeTaken = (warehouse: Warehouse, error: unknown) => {
    if (isUniqueViolation(error, WAREHOUSES_CODE_CONSTRAINT)) {
      return alreadyExists(`a warehouse with code ${warehouse.code} exists already`);
    }
    return error;
  };
  return {
    async byId(id, options = {}) {
      const rows = await em.execute<WarehouseRow[]>(
        `select ${COLUMNS} from warehouses where id = ?${options.lock ? " for update" : ""}`,
        [id],
      );
      const row = rows[0];
      return row ? toWarehouse(row) : undefined;
    },
    async insert(warehouse) {
      try {
        await em.insert(WarehouseRow, toRow(warehouse));
      } catch (error) {
        throw codeTaken(warehouse, error);
      }
    },
    async update(warehouse) {
      const { id, createTime: _, ...columns } = toRow(warehouse);
      try {
        await em.nativeUpdate(WarehouseRow, { id }, columns);
      } catch (error) {
        throw codeTaken(warehouse, error);
      }
    },
    async list(showInactive, after, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (!showInactive) where.push("active");
      if (after) {
        where.push("(priority, code) > (?, ?)");
        params.push(after.priority, after.code);
      }
      const rows = await em.execute<WarehouseRow[]>(
        `select ${COLUMNS} from warehouses${where.length ? ` where ${where.join(" and ")}` : ""}
         order by priority, code limit ?`,
        [...params, limit],
      );
      return rows.map((row) => toWarehouse(row));
    },
  };
}

function toWarehouse(row: WarehouseRow): Warehouse {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    address: { ...(row.address as PostalAddress) },
    priority: row.priority,
    active: row.active,
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
  };
}

function toRow(warehouse: Warehouse): WarehouseRow {
  return {
    id: warehouse.id,
    code: warehouse.code,
    name: warehouse.name,
    address: { ...warehouse.address },
    priority: warehouse.priority,
    active: warehouse.active,
    createTime: warehouse.createTime,
    updateTime: warehouse.updateTime,
  };
}
