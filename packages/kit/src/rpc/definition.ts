import type { DescMethod } from "@bufbuild/protobuf";

/** The gRPC path of a method: "/shopmesh.identity.v1.IdentityService/Login". */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
