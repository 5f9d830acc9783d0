import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type BadRequest_FieldViolation,
  BadRequestSchema,
  ErrorInfoSchema,
} from "@shopmesh/contracts/google/rpc/error_details_pb";
import { StatusSchema } from "@shopmesh/contracts/google/rpc/status_pb";
import { ErrorReason } from "@shopmesh/contracts/shopmesh/common/v1/errors_pb";

export { Code };

/**
 * The one error type of shopmesh RPCs: a gRPC status code, a message and optional details.
 * It is connect-es' ConnectError, so `RpcError.from(unknown)` turns anything into one.
 */
export const RpcError = ConnectError;
export type RpcError = ConnectError;

/** A request field that failed validation; `field` is the proto field path in lowerCamelCase. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** The domain of ErrorInfo details sent by shopmesh services. */
export const ERROR_DOMAIN = "shopmesh";

/** INVALID_ARGUMENT carrying a google.rpc.BadRequest with one violation per bad field. */
export function invalidArgument(violations: FieldViolation[], message?: string): ConnectError {
  const text = message ?? violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new ConnectError(text || "invalid argument", Code.InvalidArgument, undefined, [
    {
      desc: BadRequestSchema,
      value: { fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })) },
    },
  ]);
}

/**
 * An error with a code and, optionally, a shopmesh ErrorReason (google.rpc.ErrorInfo) that lets
 * callers tell apart failures sharing a code, e.g. MFA_REQUIRED vs INVALID_CREDENTIALS.
 */
export function rpcError(code: Code, message: string, reason?: ErrorReason): ConnectError {
  const details =
    reason === undefined
      ? []
      : [{ desc: ErrorInfoSchema, value: { domain: ERROR_DOMAIN, reason: ErrorReason[reason] } }];
  return new ConnectError(message, code, undefined, details);
}

/** The field violations of an INVALID_ARGUMENT error (empty when it has none). */
export function fieldViolations(error: ConnectError): FieldViolation[] {
  return error
    .findDetails(BadRequestSchema)
    .flatMap((detail) => detail.fieldViolations)
    .map((v: BadRequest_FieldViolation) => ({ field: v.field, description: v.description }));
}

/** The shopmesh ErrorReason of an error, without its prefix ("MFA_REQUIRED"), if it carries one. */
export function errorReason(error: ConnectError): string | undefined {
  return error.findDetails(ErrorInfoSchema).find((info) => info.domain === ERROR_DOMAIN)?.reason;
}

/** The trailer that carries rich error details on the gRPC wire. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** Encodes an error as a google.rpc.Status for the `grpc-status-details-bin` trailer. */
export function encodeStatusDetails(error: ConnectError): Uint8Array | undefined {
  if (error.details.length === 0) return undefined;
  const details = error.details.map((detail) =>
    "desc" in detail
      ? anyPack(detail.desc, create(detail.desc, detail.value))
      : {
          $typeName: "google.protobuf.Any" as const,
          typeUrl: `type.googleapis.com/${detail.type}`,
          value: detail.value,
        },
  );
  return toBinary(
    StatusSchema,
    create(StatusSchema, { code: error.code, message: error.rawMessage, details }),
  );
}

/** Decodes a `grpc-status-details-bin` trailer into incoming details for a ConnectError. */
export function decodeStatusDetails(bytes: Uint8Array): { type: string; value: Uint8Array }[] {
  try {
    const status = fromBinary(StatusSchema, bytes);
    return status.details.map((any) => ({
      type: any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1),
      value: any.value,
    }));
  } catch {
    return [];
  }
}

/** Re-exported so callers can unpack details of their own types. */
export { anyUnpack };
