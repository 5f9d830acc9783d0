import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { newId } from "@shopmesh/kit/ids";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { addAddress, removeAddress, updateAddress } from "../domain/addresses.ts";
import { eventMeta } from "../events.ts";
import { liveUser } from "./common.ts";
import { addressFromProto, addressToProto } from "./convert.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, uuid } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

/**
 * The caller's address book. Every change locks the user row, so the address limit and the one
 * default of each kind hold under concurrent calls.
 */
export function addressHandlers(
  deps: IdentityDeps,
): Pick<Handlers, "listAddresses" | "createAddress" | "updateAddress" | "deleteAddress"> {
  const { store } = deps;

  return {
    async listAddresses(_request, ctx) {
      const { userId } = requireUser(ctx);
      const reads = store.read();
      await liveUser(reads, userId);
      return { addresses: (await reads.addresses.list(userId)).map(addressToProto) };
    },

    async createAddress(request, ctx) {
      const { userId } = requireUser(ctx);
      check(request.address ? [] : [{ field: "address", description: "is required" }]);
      const now = new Date();
      const address = await store.transaction(async (tx) => {
        await liveUser(tx, userId, { lock: true });
        const book = await tx.addresses.list(userId);
        const change = addAddress(book, addressFromProto(request.address), {
          id: newId(),
          userId,
          now,
          field: "address",
        });
        await tx.addresses.save(change, true);
        tx.record(change.events, eventMeta(ctx));
        return change.address;
      });
      return { address: addressToProto(address) };
    },

    async updateAddress(request, ctx) {
      const { userId } = requireUser(ctx);
      check(uuid(request.address?.id ?? "", "address.id"));
      const addressId = request.address!.id;
      const now = new Date();
      const address = await store.transaction(async (tx) => {
        await liveUser(tx, userId, { lock: true });
        const book = await tx.addresses.list(userId);
        const change = updateAddress(
          book,
          addressId,
          addressFromProto(request.address),
          request.updateMask?.paths ?? [],
          { now, field: "address", maskField: "updateMask" },
        );
        await tx.addresses.save(change, false);
        tx.record(change.events, eventMeta(ctx));
        return change.address;
      });
      return { address: addressToProto(address) };
    },

    async deleteAddress(request, ctx) {
      const { userId } = requireUser(ctx);
      check(uuid(request.addressId, "addressId"));
      await store.transaction(async (tx) => {
        await liveUser(tx, userId, { lock: true });
        const change = removeAddress(await tx.addresses.list(userId), request.addressId);
        await tx.addresses.delete(change.address);
        tx.record(change.events, eventMeta(ctx));
      });
      return {};
    },
  };
}
