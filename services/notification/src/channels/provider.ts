import type { DeliveryChannel } from "../domain/catalogue.ts";

/** One rendered message on its way to a provider. */
export interface OutgoingMessage {
  deliveryId: string;
  channel: DeliveryChannel;
  /** Notification type ("order_confirmed"), for provider tags and headers. */
  type: string;
  /** Email address, E.164 phone number, or "user:<id>" for push. */
  to: string;
  /** Stable per delivery: the email's Message-ID, so a re-sent copy is recognisably the same. */
  messageId: string;
  locale: string;
  /** Email. */
  subject?: string;
  html?: string;
  text?: string;
  /** Push. */
  title?: string;
  body?: string;
}

export interface SendResult {
  /** The provider's id of the accepted message (the Message-ID for email). */
  providerMessageId: string;
}

/**
 * Sends messages on one channel. Every channel sits behind this one interface: email over SMTP,
 * SMS and push through adapters (a development sink here; a real SMS gateway or push service is
 * another implementation of the same interface).
 */
export interface ChannelProvider {
  readonly channel: DeliveryChannel;
  /** Throws a SendError; `permanent` when trying again cannot help. */
  send(message: OutgoingMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

/** A send that failed; permanent failures are not retried. */
export class SendError extends Error {
  override readonly name = "SendError";
  readonly permanent: boolean;

  constructor(message: string, options: { permanent: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options.permanent;
  }
}

/** The providers of every delivery channel. */
export type ChannelProviders = Record<DeliveryChannel, ChannelProvider>;
