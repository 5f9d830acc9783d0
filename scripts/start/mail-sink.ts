import { mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

/** A local SMTP server that keeps every message instead of delivering it. */
export interface MailSink {
  /** The SMTP_URL to give the notification service. */
  url: string;
  stop(): Promise<void>;
}

export interface MailSinkOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Each message is written there as <time>-<n>.eml. */
  dir: string;
  /** One line per message: who it is for and its subject. */
  log: (line: string) => void;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * The development mailbox of `npm start`: accepts mail on localhost without authentication or
 * TLS, saves it as .eml files (any mail program opens them) and logs recipient and subject, so the
 * welcome, verification and order mails of a local platform can be read without a mail account.
 */
export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const host = options.host ?? "127.0.0.1";
  mkdirSync(options.dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        count += 1;
        const file = join(options.dir, `${new Date().toISOString().replaceAll(":", "-")}-${count}.eml`);
        writeFileSync(file, raw);
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(", ");
        options.log(`mail to ${to}: ${subjectOf(raw) ?? "(no subject)"}  → ${file}`);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Subject header of a raw message, decoded when it is an RFC 2047 UTF-8 word. */
export function subjectOf(raw: Buffer): string | undefined {
  const head = raw.toString("utf8").split(/\r?\n\r?\n/, 1)[0] ?? "";
  const match = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  if (!match?.[1]) return undefined;
  const value = match[1].replace(/\r?\n[ \t]/g, " ").trim();
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, encoding: string, text: string) =>
    encoding.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text
            .replaceAll("_", " ")
            .replace(/=([0-9a-f]{2})/gi, (_hex, code: string) => String.fromCharCode(parseInt(code, 16))),
          "latin1",
        ).toString("utf8"),
  );
}
