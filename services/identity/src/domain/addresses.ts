import {
  AddressAddedSchema,
  AddressRemovedSchema,
  AddressUpdatedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { isCountryCode } from "@shopmesh/kit/countries";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { type FieldViolation, failedPrecondition, notFound, throwIfInvalid } from "@shopmesh/kit/errors";
import { applyFieldMask, resolveFieldMask } from "./field-mask.ts";

/** A user may keep this many addresses. */
export const MAX_ADDRESSES = 20;

/** A postal address (shopmesh.common.v1.Address); "" for an absent optional part. */
export interface PostalAddress {
  recipient: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, upper case. */
  countryCode: string;
  /** E.164 ("+4930123456") or "". */
  phone: string;
}

/** An address in a user's address book. */
export interface UserAddress {
  id: string;
  userId: string;
  /** The user's name for it ("Home"); may be "". */
  label: string;
  address: PostalAddress;
  defaultShipping: boolean;
  defaultBilling: boolean;
  createTime: Date;
  updateTime: Date;
}

/** What a request says about an address; a proto UserAddress fits as it is. */
export interface AddressInput {
  label?: string;
  address?: Partial<PostalAddress>;
  defaultShipping?: boolean;
  defaultBilling?: boolean;
}

/** The proto paths (of UserAddress) UpdateAddress may write. */
export const ADDRESS_WRITABLE_PATHS = [
  "label",
  "address.recipient",
  "address.line1",
  "address.line2",
  "address.city",
  "address.region",
  "address.postal_code",
  "address.country_code",
  "address.phone",
  "default_shipping",
  "default_billing",
] as const;

const MAX_LABEL_LENGTH = 50;
const LIMITS: Record<keyof PostalAddress, { required: boolean; max: number }> = {
  recipient: { required: true, max: 100 },
  line1: { required: true, max: 200 },
  line2: { required: false, max: 200 },
  city: { required: true, max: 100 },
  region: { required: false, max: 100 },
  postalCode: { required: true, max: 16 },
  countryCode: { required: true, max: 2 },
  phone: { required: false, max: 16 },
};
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]*$/;
const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * A postal address as stored: every part trimmed with inner whitespace collapsed, the country
 * code upper-cased, the phone number without spaces, dashes, dots or parentheses.
 */
export function normalizePostalAddress(input: Partial<PostalAddress>): PostalAddress {
  const text = (value: string | undefined) => (value ?? "").trim().replace(/\s+/g, " ");
  return {
    recipient: text(input.recipient),
    line1: text(input.line1),
    line2: text(input.line2),
    city: text(input.city),
    region: text(input.region),
    postalCode: text(input.postalCode),
    countryCode: text(input.countryCode).toUpperCase(),
    phone: (input.phone ?? "").replace(/[\s().-]/g, ""),
  };
}

/**
 * Checks a normalised postal address; one violation per bad part, naming `field` + the part in
 * lowerCamelCase ("address.postalCode" for field "address").
 */
export function checkPostalAddress(address: PostalAddress, field = "address"): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const part of Object.keys(LIMITS) as (keyof PostalAddress)[]) {
    const problem = partProblem(part, address[part]);
    if (problem) violations.push({ field: `${field}.${part}`, description: problem });
  }
  return violations;
}

function partProblem(part: keyof PostalAddress, value: string): string | undefined {
  const { required, max } = LIMITS[part];
  const length = [...value].length;
  if (length === 0) return required ? "is required" : undefined;
  if (part === "countryCode" && !isCountryCode(value)) return 'must be an ISO 3166-1 alpha-2 code like "DE"';
  if (length > max) return `must be at most ${max} characters`;
  if (part === "postalCode" && !POSTAL_CODE.test(value))
    return "may hold only letters, digits, spaces and dashes";
  if (part === "phone" && !E164.test(value)) return 'must be an E.164 number like "+4930123456"';
  return undefined;
}

/**
 * The result of changing an address book: the address acted on, every address whose stored
 * row must change (the address itself plus any that lost a default flag), the address book after
 * the change, and the events to record.
 */
export interface AddressBookChange {
  address: UserAddress;
  changed: UserAddress[];
  addresses: UserAddress[];
  events: DomainEvent[];
}

export interface NewAddressOptions {
  id: string;
  userId: string;
  now: Date;
  /** The request field holding the UserAddress, prefixed to violations ("address.address.city"). */
  field?: string;
}

/**
 * Adds an address to `existing` (the user's address book). Marking it default shipping or
 * billing takes that flag from the address that had it. Refused beyond MAX_ADDRESSES.
 * Records AddressAdded.
 */
export function addAddress(
  existing: readonly UserAddress[],
  input: AddressInput,
  options: NewAddressOptions,
): AddressBookChange {
  const field = options.field ?? "address";
  const draft = {
    label: normalizeLabel(input.label),
    address: normalizePostalAddress(input.address ?? {}),
    defaultShipping: input.defaultShipping ?? false,
    defaultBilling: input.defaultBilling ?? false,
  };
  throwIfInvalid(checkDraft(draft, field, input.address === undefined));
  if (existing.length >= MAX_ADDRESSES) {
    throw failedPrecondition(`an account can keep at most ${MAX_ADDRESSES} addresses; delete one first`);
  }
  const address: UserAddress = {
    id: options.id,
    userId: options.userId,
    ...draft,
    createTime: options.now,
    updateTime: options.now,
  };
  const event = domainEvent(AddressAddedSchema, options.userId, {
    userId: options.userId,
    addressId: address.id,
  });
  return withDefaults([...existing, address], address, options.now, [event]);
}

export interface UpdateAddressOptions {
  now: Date;
  /** The request field holding the UserAddress. */
  field?: string;
  /** The request field holding the mask. */
  maskField?: string;
}

/**
 * Updates the address `addressId` of the book with the fields of `maskPaths` (UserAddress proto
 * paths such as "label", "address", "address.city", "default_shipping"; empty means all) taken
 * from `input`. The result is validated as a whole. Records AddressUpdated when something
 * changed. Not found when the book has no such address.
 */
export function updateAddress(
  existing: readonly UserAddress[],
  addressId: string,
  input: AddressInput,
  maskPaths: readonly string[],
  options: UpdateAddressOptions,
): AddressBookChange {
  const current = existing.find((a) => a.id === addressId);
  if (current === undefined) throw notFound(`address ${addressId} not found`);
  const field = options.field ?? "address";
  const leaves = resolveFieldMask(maskPaths, ADDRESS_WRITABLE_PATHS, options.maskField);
  const merged = applyFieldMask(current, input, leaves);
  const draft = {
    label: normalizeLabel(merged.label),
    address: normalizePostalAddress(merged.address),
    defaultShipping: merged.defaultShipping,
    defaultBilling: merged.defaultBilling,
  };
  throwIfInvalid(checkDraft(draft, field, false));
  if (sameDraft(current, draft))
    return { address: current, changed: [], addresses: [...existing], events: [] };
  const address: UserAddress = { ...current, ...draft, updateTime: options.now };
  const event = domainEvent(AddressUpdatedSchema, current.userId, { userId: current.userId, addressId });
  return withDefaults(
    existing.map((a) => (a.id === addressId ? address : a)),
    address,
    options.now,
    [event],
  );
}

/** Removes an address from the book; records AddressRemoved. Not found when it has no such address. */
export function removeAddress(
  existing: readonly UserAddress[],
  addressId: string,
): { address: UserAddress; addresses: UserAddress[]; events: DomainEvent[] } {
  const address = existing.find((a) => a.id === addressId);
  if (address === undefined) throw notFound(`address ${addressId} not found`);
  return {
    address,
    addresses: existing.filter((a) => a.id !== addressId),
    events: [domainEvent(AddressRemovedSchema, address.userId, { userId: address.userId, addressId })],
  };
}

type Draft = Pick<UserAddress, "label" | "address" | "defaultShipping" | "defaultBilling">;

function normalizeLabel(label: string | undefined): string {
  return (label ?? "").trim().replace(/\s+/g, " ");
}

function checkDraft(draft: Draft, field: string, addressMissing: boolean): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if ([...draft.label].length > MAX_LABEL_LENGTH) {
    violations.push({
      field: `${field}.label`,
      description: `must be at most ${MAX_LABEL_LENGTH} characters`,
    });
  }
  if (addressMissing) violations.push({ field: `${field}.address`, description: "is required" });
  else violations.push(...checkPostalAddress(draft.address, `${field}.address`));
  return violations;
}

function sameDraft(current: UserAddress, draft: Draft): boolean {
  return (
    current.label === draft.label &&
    current.defaultShipping === draft.defaultShipping &&
    current.defaultBilling === draft.defaultBilling &&
    (Object.keys(draft.address) as (keyof PostalAddress)[]).every(
      (k) => current.address[k] === draft.address[k],
    )
  );
}

/**
 * Takes the default flags `address` holds away from every other address of the book; each address
 * that loses one records AddressUpdated too.
 */
function withDefaults(
  book: UserAddress[],
  address: UserAddress,
  now: Date,
  events: DomainEvent[],
): AddressBookChange {
  const changed: UserAddress[] = [address];
  const addresses = book.map((other) => {
    if (other.id === address.id) return other;
    const loseShipping = address.defaultShipping && other.defaultShipping;
    const loseBilling = address.defaultBilling && other.defaultBilling;
    if (!loseShipping && !loseBilling) return other;
    const updated = {
      ...other,
      defaultShipping: loseShipping ? false : other.defaultShipping,
      defaultBilling: loseBilling ? false : other.defaultBilling,
      updateTime: now,
    };
    changed.push(updated);
    events.push(
      domainEvent(AddressUpdatedSchema, other.userId, { userId: other.userId, addressId: other.id }),
    );
    return updated;
  });
  return { address, changed, addresses, events };
}
