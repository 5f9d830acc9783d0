import type { Logger } from "@shopmesh/kit/log";
import type { DeliveryChannel } from "../domain/catalogue.ts";
import type { ChannelProvider, OutgoingMessage } from "./provider.ts";

/** A channel provider that keeps what it was given, for development and tests. */
export interface DevSink extends ChannelProvider {
  /** The messages taken, oldest first (the last `keep`). */
  messages(): readonly OutgoingMessage[];
}

/**
 * The development provider of SMS and push: logs each message and keeps the last `keep` in
 * memory instead of sending it anywhere. Production swaps in a gateway adapter with the same
 * interface (a push adapter maps "user:<id>" to the user's device tokens).
 */
export function createDevSink(channel: DeliveryChannel, logger: Logger, keep = 200): DevSink {
  const kept: OutgoingMessage[] = [];
  const log = logger.child({ component: `${channel}-dev-sink` });
  return {
    channel,
    async send(message) {
      kept.push(message);
      if (kept.length > keep) kept.splice(0, kept.length - keep);
      log.info(
        {
          to: message.to,
          type: message.type,
          deliveryId: message.deliveryId,
          text: message.text ?? message.body,
        },
        `${channel} message (development sink, not sent)`,
      );
      return { providerMessageId: `dev-${message.deliveryId}` };
    },
    messages: () => kept,
  };
}
