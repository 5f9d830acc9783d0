export {
  createErrorHandler,
  type ErrorHandlerOptions,
  methodNotAllowedResponse,
  notFoundHandler,
  toProblemInit,
} from "./handler.ts";
export {
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  ProblemError,
  type ProblemInit,
  problemResponse,
  problemType,
  toProblem,
} from "./problem.ts";
export { httpStatusOf, problemFromRpcError } from "./rpc-status.ts";
export { type ProblemResponse, ProblemSchema, problemResponses } from "./schema.ts";
export { fieldErrors, validationHook } from "./validation.ts";
