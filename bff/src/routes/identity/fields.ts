import { create } from "@bufbuild/protobuf";
import { BadRequestSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import { RpcError } from "@shopmesh/kit/rpc";

/**
 * Runs a service call whose request wraps the REST body in a field (`user`, `address`) and renames
 * the field violations of an INVALID_ARGUMENT answer from request paths ("address.label") to the
 * body's own names ("label"), so the problem's `errors` name what the client sent.
 */
export async function withBodyFields<T>(prefix: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    const violations = error.findDetails(BadRequestSchema).flatMap((detail) => detail.fieldViolations);
    if (violations.length === 0) throw error;
    const renamed = violations.map((v) => ({
      field: v.field.startsWith(`${prefix}.`) ? v.field.slice(prefix.length + 1) : v.field,
      description: v.description,
    }));
    throw new RpcError(error.rawMessage, error.code, error.metadata, [
      { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: renamed }) },
    ]);
  }
}
