import { createTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { type ChannelProvider, type OutgoingMessage, SendError } from "./provider.ts";

export interface SmtpProviderOptions {
  /** smtp://[user:pass@]host:port or smtps://... (nodemailer connection URL, query options allowed). */
  url: string;
  from: string;
  /** Connection, greeting and socket timeout of one attempt. */
  timeoutMs: number;
  /** Connections kept open to the server. */
  maxConnections: number;
}

/**
 * Reply codes that say this recipient will never take the message (RFC 5321 4.2): no such
 * mailbox, not local, mailbox name not allowed. Other 5xx replies (policy, authentication,
 * "message too big" from a misconfigured relay) may pass once someone fixes something, so they
 * are retried and end as dead letters an admin can re-drive.
 */
const PERMANENT_REPLIES = new Set([550, 551, 553]);

/**
 * Email over SMTP with nodemailer (a pooled transport). Each message carries HTML and text
 * versions (quoted-printable), the delivery's stable Message-ID and X-Shopmesh-* headers naming
 * the delivery and type.
 */
export function createSmtpProvider(options: SmtpProviderOptions): ChannelProvider {
  const transport = createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  } as SMTPTransport.Options);

  return {
    channel: "email",
    async send(message: OutgoingMessage) {
      if (!message.to) throw new SendError("no email address", { permanent: true });
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject ?? "",
          text: message.text ?? "",
          html: message.html ?? "",
          messageId: message.messageId,
          textEncoding: "quoted-printable",
          headers: {
            "X-Shopmesh-Delivery": message.deliveryId,
            "X-Shopmesh-Type": message.type,
            ...(message.locale ? { "Content-Language": message.locale } : {}),
          },
        });
        if (info.rejected.length > 0) {
          throw new SendError(`the server rejected ${info.rejected.join(", ")}`, { permanent: true });
        }
        return { providerMessageId: info.messageId || message.messageId };
      } catch (error) {
        if (error instanceof SendError) throw error;
        const code = (error as { responseCode?: number }).responseCode;
        const reply = (error as { response?: string }).response;
        const text = reply || (error as Error)?.message || String(error);
        throw new SendError(code ? `SMTP ${code}: ${text}` : `SMTP: ${text}`, {
          permanent: code !== undefined && PERMANENT_REPLIES.has(code),
          cause: error,
        });
      }
    },
    async close() {
      transport.close();
    },
  };
}
