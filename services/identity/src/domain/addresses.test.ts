import {
  AddressAddedSchema,
  AddressRemovedSchema,
  AddressUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  type AddressInput,
  addAddress,
  checkPostalAddress,
  MAX_ADDRESSES,
  normalizePostalAddress,
  removeAddress,
  type UserAddress,
  updateAddress,
} from "./addresses.ts";

const t0 = new Date("2025-03-01T10:00:00Z");
const t1 = new Date("2025-03-02T10:00:00Z");

const berlin = {
  recipient: "Ann Lee",
  line1: "Invalidenstraße 117",
  city: "Berlin",
  postalCode: "10115",
  countryCode: "de",
};

function add(book: UserAddress[], id: string, input: AddressInput = { address: berlin }) {
  return addAddress(book, input, { id, userId: "u1", now: t0 });
}

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("postal address", () => {
  it("normalises parts, country code and phone", () => {
    expect(
      normalizePostalAddress({ ...berlin, city: "  Berlin  Mitte ", phone: "+49 (30) 123-456" }),
    ).toEqual({
      recipient: "Ann Lee",
      line1: "Invalidenstraße 117",
      line2: "",
      city: "Berlin Mitte",
      region: "",
      postalCode: "10115",
      countryCode: "DE",
      phone: "+4930123456",
    });
  });

  it("names each bad part under the given field", () => {
    const violations = checkPostalAddress(
      normalizePostalAddress({
        line1: "x".repeat(201),
        countryCode: "XX",
        postalCode: "10_115",
        phone: "0301234",
      }),
      "address.address",
    );
    expect(violations.map((v) => v.field)).toEqual([
      "address.address.recipient",
      "address.address.line1",
      "address.address.city",
      "address.address.postalCode",
      "address.address.countryCode",
      "address.address.phone",
    ]);
  });
});

describe("addAddress", () => {
  it("adds a validated address and records AddressAdded", () => {
    const { address, changed, addresses, events } = add([], "a1", {
      label: " Home ",
      address: berlin,
      defaultShipping: true,
    });
    expect(address).toMatchObject({
      id: "a1",
      userId: "u1",
      label: "Home",
      defaultShipping: true,
      defaultBilling: false,
    });
    expect(address.address.countryCode).toBe("DE");
    expect(changed).toEqual([address]);
    expect(addresses).toEqual([address]);
    expect(events.map((e) => e.type)).toEqual([AddressAddedSchema]);
    expect(events[0]?.data).toMatchObject({ userId: "u1", addressId: "a1" });
  });

  it("keeps one default shipping address: a new default takes the flag from the old one", () => {
    const first = add([], "a1", { address: berlin, defaultShipping: true, defaultBilling: true }).addresses;
    const { addresses, changed, events } = add(first, "a2", { address: berlin, defaultShipping: true });
    expect(addresses.filter((a) => a.defaultShipping).map((a) => a.id)).toEqual(["a2"]);
    expect(addresses.find((a) => a.id === "a1")).toMatchObject({
      defaultShipping: false,
      defaultBilling: true,
    });
    expect(changed.map((a) => a.id)).toEqual(["a2", "a1"]);
    expect(events.map((e) => e.type)).toEqual([AddressAddedSchema, AddressUpdatedSchema]);
  });

  it("names violations by request path", () => {
    const error = caught(() => add([], "a1", { label: "x".repeat(51), address: { ...berlin, city: "" } }));
    expect(error.violations.map((v) => v.field)).toEqual(["address.label", "address.address.city"]);
    expect(caught(() => add([], "a1", { label: "Home" })).violations).toEqual([
      { field: "address.address", description: "is required" },
    ]);
  });

  it(`refuses more than ${MAX_ADDRESSES} addresses`, () => {
    let book: UserAddress[] = [];
    for (let i = 0; i < MAX_ADDRESSES; i++) book = add(book, `a${i}`).addresses;
    expect(caught(() => add(book, "one-too-many")).kind).toBe("failed_precondition");
  });
});

describe("updateAddress", () => {
  const book = add([], "a1", { label: "Home", address: berlin, defaultBilling: true }).addresses;

  it("updates only the masked fields and records AddressUpdated", () => {
    const { address, events } = updateAddress(
      book,
      "a1",
      { label: "Office", address: { ...berlin, city: "Potsdam", postalCode: "14467" } },
      ["address.city"],
      { now: t1 },
    );
    expect(address).toMatchObject({ label: "Home", updateTime: t1 });
    expect(address.address).toMatchObject({ city: "Potsdam", postalCode: "10115" });
    expect(events.map((e) => e.type)).toEqual([AddressUpdatedSchema]);
  });

  it("replaces the whole postal address for the path address", () => {
    const { address } = updateAddress(
      book,
      "a1",
      { address: { ...berlin, line2: "", city: "Köln", postalCode: "50667" } },
      ["address"],
      {
        now: t1,
      },
    );
    expect(address.address).toMatchObject({ city: "Köln", postalCode: "50667", countryCode: "DE" });
  });

  it("moves the default billing flag to the updated address", () => {
    const two = add(book, "a2").addresses;
    const { addresses } = updateAddress(two, "a2", { defaultBilling: true }, ["default_billing"], {
      now: t1,
    });
    expect(addresses.filter((a) => a.defaultBilling).map((a) => a.id)).toEqual(["a2"]);
  });

  it("rejects an unknown mask path on updateMask", () => {
    expect(
      caught(() => updateAddress(book, "a1", {}, ["address.street"], { now: t1 })).violations[0]?.field,
    ).toBe("updateMask");
  });

  it("validates the merged result and changes nothing on error", () => {
    const error = caught(() =>
      updateAddress(book, "a1", { address: { countryCode: "Germany" } }, ["address.country_code"], {
        now: t1,
      }),
    );
    expect(error.violations).toEqual([
      { field: "address.address.countryCode", description: expect.any(String) },
    ]);
    expect(book[0]?.address.countryCode).toBe("DE");
  });

  it("records nothing when nothing changes", () => {
    expect(updateAddress(book, "a1", { label: "Home" }, ["label"], { now: t1 })).toMatchObject({
      changed: [],
      events: [],
    });
  });

  it("is not found for an address of the book it does not hold", () => {
    expect(caught(() => updateAddress(book, "other", {}, [], { now: t1 })).kind).toBe("not_found");
  });
});

describe("removeAddress", () => {
  it("removes the address and records AddressRemoved", () => {
    const book = add(add([], "a1").addresses, "a2").addresses;
    const { addresses, events } = removeAddress(book, "a1");
    expect(addresses.map((a) => a.id)).toEqual(["a2"]);
    expect(events.map((e) => e.type)).toEqual([AddressRemovedSchema]);
    expect(caught(() => removeAddress(addresses, "a1")).kind).toBe("not_found");
  });
});
