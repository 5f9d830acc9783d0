import type { Logger } from "@shopmesh/kit/log";
import { createDevSink, type DevSink } from "./dev-sink.ts";
import type { ChannelProviders } from "./provider.ts";
import { createSmtpProvider, type SmtpProviderOptions } from "./smtp.ts";

export { createDevSink, type DevSink } from "./dev-sink.ts";
export {
  type ChannelProvider,
  type ChannelProviders,
  type OutgoingMessage,
  SendError,
  type SendResult,
} from "./provider.ts";
export { createSmtpProvider, type SmtpProviderOptions } from "./smtp.ts";

/** Email over SMTP; SMS and push into development sinks (kept for inspection as `sinks`). */
export function createChannelProviders(
  smtp: SmtpProviderOptions,
  logger: Logger,
): { providers: ChannelProviders; sinks: { sms: DevSink; push: DevSink } } {
  const sinks = { sms: createDevSink("sms", logger), push: createDevSink("push", logger) };
  return { providers: { email: createSmtpProvider(smtp), ...sinks }, sinks };
}
