export {
  createServiceAuth,
  type ServiceAuth,
  type ServiceAuthConfig,
  type ServiceAuthOptions,
} from "./auth.ts";
export { type CloseStep, createLifecycle, type Lifecycle } from "./lifecycle.ts";
export { type RunnableService, runServiceMain, type ServiceMainOptions } from "./main.ts";
export {
  type BackgroundWorker,
  createServiceRuntime,
  type ServiceRuntime,
  type ServiceRuntimeOptions,
} from "./runtime.ts";
