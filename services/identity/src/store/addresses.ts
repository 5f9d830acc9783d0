import type { EntityManager } from "@shopmesh/kit/db";
import type { AddressBookChange, UserAddress } from "../domain/addresses.ts";
import { AddressRow } from "./entities.ts";

export interface AddressRepository {
  /** The user's address book, oldest first. */
  list(userId: string): Promise<UserAddress[]>;
  /**
   * Stores an address book change: first the addresses that lost a default flag, then the
   * address acted on (inserted when `created`), so the one-default-per-user indexes hold at
   * every statement.
   */
  save(change: AddressBookChange, created: boolean): Promise<void>;
  delete(address: UserAddress): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
}

export function createAddressRepository(em: EntityManager): AddressRepository {
  return {
    async list(userId) {
      const rows = await em.find(
        AddressRow,
        { userId },
        { orderBy: { createTime: "asc", id: "asc" }, disableIdentityMap: true },
      );
      return rows.map(toAddress);
    },
    async save(change, created) {
      for (const other of change.changed) {
        if (other.id === change.address.id) continue;
        await update(other);
      }
      if (created) await em.insert(AddressRow, toRow(change.address));
      else if (change.changed.some((a) => a.id === change.address.id)) await update(change.address);
    },
    async delete(address) {
      await em.nativeDelete(AddressRow, { id: address.id, userId: address.userId });
    },
    async deleteForUser(userId) {
      await em.nativeDelete(AddressRow, { userId });
    },
  };

  async function update(address: UserAddress): Promise<void> {
    const { id, userId, createTime: _, ...columns } = toRow(address);
    await em.nativeUpdate(AddressRow, { id, userId }, columns);
  }
}

function toAddress(row: AddressRow): UserAddress {
  return {
    id: row.id,
    userId: row.userId,
    label: row.label,
    address: {
      recipient: row.recipient,
      line1: row.line1,
      line2: row.line2,
      city: row.city,
      region: row.region,
      postalCode: row.postalCode,
      countryCode: row.countryCode,
      phone: row.phone,
    },
    defaultShipping: row.defaultShipping,
    defaultBilling: row.defaultBilling,
    createTime: row.createTime,
    updateTime: row.updateTime,
  };
}

function toRow(address: UserAddress): AddressRow {
  return {
    id: address.id,
    userId: address.userId,
    label: address.label,
    ...address.address,
    defaultShipping: address.defaultShipping,
    defaultBilling: address.defaultBilling,
    createTime: address.createTime,
    updateTime: address.updateTime,
  };
}
