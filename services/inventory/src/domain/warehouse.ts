import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  WarehouseCreatedSchema,
  WarehouseUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { applyFieldMask, resolveFieldMask } from "./field-mask.ts";

/** A postal address, as shopmesh.common.v1.Address. */
export interface PostalAddress {
  recipient: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

/** The warehouse aggregate as plain data; the functions of this module return changed copies. */
export interface Warehouse {
  /** UUIDv7. */
  id: string;
  /** Upper case, unique. */
  code: string;
  name: string;
  address: PostalAddress;
  /** Allocation order: lower first. */
  priority: number;
  /** Only active warehouses are available and reserved from. */
  active: boolean;
  createTime: Date;
  updateTime: Date;
}

/** What a create or update request says about a warehouse; absent parts stay as they are. */
export interface WarehouseInput {
  code?: string;
  name?: string;
  address?: Partial<PostalAddress>;
  priority?: number;
  active?: boolean;
}

export interface WarehouseChange {
  warehouse: Warehouse;
  events: DomainEvent[];
}

export const MAX_PRIORITY = 1000;
export const MAX_NAME_LENGTH = 200;
const CODE = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
const COUNTRY = /^[A-Z]{2}$/;
const MAX_ADDRESS_PART = 200;

/** The fields UpdateWarehouse may write, as proto paths; an empty mask means all of them. */
export const WAREHOUSE_WRITABLE = [
  "code",
  "name",
  "address.recipient",
  "address.line1",
  "address.line2",
  "address.city",
  "address.region",
  "address.postal_code",
  "address.country_code",
  "address.phone",
  "priority",
  "active",
] as const;

const EMPTY_ADDRESS: PostalAddress = {
  recipient: "",
  line1: "",
  line2: "",
  city: "",
  region: "",
  postalCode: "",
  countryCode: "",
  phone: "",
};

/**
 * A new warehouse. Code is trimmed and upper-cased; name, line1, city, postal code and country
 * are required. Throws `invalid` naming every bad field under `field` ("warehouse.code"...).
 * Records WarehouseCreated. Uniqueness of the code is the store's to enforce.
 */
export function createWarehouse(
  input: WarehouseInput,
  context: { id: string; now: Date; field?: string },
): WarehouseChange {
  const field = context.field ?? "warehouse";
  const warehouse = normalize(
    {
      id: context.id,
      code: "",
      name: "",
      address: { ...EMPTY_ADDRESS },
      priority: 0,
      active: false,
      createTime: context.now,
      updateTime: context.now,
    },
    input,
  );
  throwIfInvalid(checkWarehouse(warehouse, field));
  return {
    warehouse,
    events: [domainEvent(WarehouseCreatedSchema, warehouse.id, { warehouse: warehouseMessage(warehouse) })],
  };
}

/**
 * Applies the fields of `input` selected by the update mask `paths` (proto paths; empty = all
 * writable). Records WarehouseUpdated with the paths that changed; nothing changed, no event
 * and the same object back.
 */
export function updateWarehouse(
  current: Warehouse,
  input: WarehouseInput,
  paths: readonly string[],
  context: { now: Date; field?: string; maskField?: string },
): WarehouseChange {
  const field = context.field ?? "warehouse";
  const leaves = resolveFieldMask(paths, WAREHOUSE_WRITABLE, context.maskField ?? "updateMask");
  const masked = applyFieldMask(toInput(current), input, leaves);
  const next = normalize(current, masked);
  throwIfInvalid(checkWarehouse(next, field));
  const changed = WAREHOUSE_WRITABLE.filter((path) => readPath(current, path) !== readPath(next, path));
  if (changed.length === 0) return { warehouse: current, events: [] };
  const warehouse = { ...next, updateTime: context.now };
  return {
    warehouse,
    events: [
      domainEvent(WarehouseUpdatedSchema, warehouse.id, {
        warehouse: warehouseMessage(warehouse),
        changedFields: changed,
      }),
    ],
  };
}

function toInput(warehouse: Warehouse): Required<WarehouseInput> {
  return {
    code: warehouse.code,
    name: warehouse.name,
    address: { ...warehouse.address },
    priority: warehouse.priority,
    active: warehouse.active,
  };
}

function normalize(base: Warehouse, input: WarehouseInput): Warehouse {
  const address = { ...base.address };
  for (const key of Object.keys(EMPTY_ADDRESS) as (keyof PostalAddress)[]) {
    const value = input.address?.[key];
    if (value !== undefined) address[key] = value.trim();
  }
  address.countryCode = address.countryCode.toUpperCase();
  return {
    ...base,
    code: input.code === undefined ? base.code : input.code.trim().toUpperCase(),
    name: input.name === undefined ? base.name : input.name.trim(),
    address,
    priority: input.priority ?? base.priority,
    active: input.active ?? base.active,
  };
}

function checkWarehouse(warehouse: Warehouse, field: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!CODE.test(warehouse.code)) {
    violations.push({
      field: `${field}.code`,
      description: "must be 2-32 letters, digits and -, starting with a letter or digit",
    });
  }
  if (warehouse.name === "") violations.push({ field: `${field}.name`, description: "is required" });
  else if ([...warehouse.name].length > MAX_NAME_LENGTH) {
    violations.push({ field: `${field}.name`, description: `must be at most ${MAX_NAME_LENGTH} characters` });
  }
  const { address } = warehouse;
  for (const [key, proto] of [
    ["line1", "line1"],
    ["city", "city"],
    ["postalCode", "postalCode"],
  ] as const) {
    if (address[key] === "")
      violations.push({ field: `${field}.address.${proto}`, description: "is required" });
  }
  for (const key of Object.keys(address) as (keyof PostalAddress)[]) {
    if ([...address[key]].length > MAX_ADDRESS_PART) {
      violations.push({
        field: `${field}.address.${key}`,
        description: `must be at most ${MAX_ADDRESS_PART} characters`,
      });
    }
  }
  if (!COUNTRY.test(address.countryCode)) {
    violations.push({
      field: `${field}.address.countryCode`,
      description: "must be an ISO 3166-1 alpha-2 code",
    });
  }
  if (!Number.isInteger(warehouse.priority) || warehouse.priority < 0 || warehouse.priority > MAX_PRIORITY) {
    violations.push({ field: `${field}.priority`, description: `must be between 0 and ${MAX_PRIORITY}` });
  }
  return violations;
}

function readPath(warehouse: Warehouse, path: string): unknown {
  if (path.startsWith("address.")) {
    const key = path.slice("address.".length).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    return warehouse.address[key as keyof PostalAddress];
  }
  return warehouse[path as "code" | "name" | "priority" | "active"];
}

/** The proto Warehouse of events and responses. */
export function warehouseMessage(warehouse: Warehouse) {
  return {
    id: warehouse.id,
    code: warehouse.code,
    name: warehouse.name,
    address: { ...warehouse.address },
    priority: warehouse.priority,
    active: warehouse.active,
    createTime: timestampFromDate(warehouse.createTime),
    updateTime: timestampFromDate(warehouse.updateTime),
  };
}
