import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** One email the capture server took, parsed. */
export interface CapturedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** Header values by lower-case name (first occurrence), unfolded and RFC 2047-decoded. */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

/** What the capture answers: accept, or fail every message with an SMTP reply. */
export type CaptureMode = { accept: true } | { accept: false; code: number; message: string };

export interface SmtpCapture {
  /** smtp://127.0.0.1:<port> for SMTP_URL. */
  url: string;
  /** Every accepted mail, oldest first. */
  mails: CapturedMail[];
  /** Messages refused so far (while failing). */
  refused: number;
  setMode(mode: CaptureMode): void;
  /** Accepted mails to one address. */
  to(address: string): CapturedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on a free local port that keeps what it is sent,
 * or refuses it with a chosen reply, so tests read the mail the service really sent. The MIME
 * parsing below is only as much as nodemailer's output needs (mailparser is not available here).
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  let mode: CaptureMode = { accept: true };
  const capture = {
    url: "",
    mails: [] as CapturedMail[],
    refused: 0,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        if (!mode.accept) {
          capture.refused++;
          const error = new Error(mode.message) as Error & { responseCode: number };
          error.responseCode = mode.code;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        capture.mails.push({
          ...parseMail(raw),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  capture.url = `smtp://127.0.0.1:${port}`;
  return Object.assign(capture, {
    setMode(next: CaptureMode) {
      mode = next;
    },
    to(address: string) {
      return capture.mails.filter((mail) => mail.envelopeTo.includes(address));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Headers and the text and HTML bodies of a (multipart/alternative) message. */
export function parseMail(raw: string): Omit<CapturedMail, "envelopeFrom" | "envelopeTo"> {
  const { headers, body } = splitEntity(raw);
  const parts = { text: "", html: "" };
  collectParts(headers, body, parts);
  return {
    headers,
    subject: headers.subject ?? "",
    messageId: headers["message-id"] ?? "",
    text: parts.text,
    html: parts.html,
    raw,
  };
}

function collectParts(
  headers: Record<string, string>,
  body: string,
  out: { text: string; html: string },
): void {
  const type = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith("--")) break;
      const part = splitEntity(section.replace(/^\r?\n/, ""));
      collectParts(part.headers, part.body, out);
    }
    return;
  }
  const decoded = decodeBody(body, headers["content-transfer-encoding"] ?? "7bit");
  if (/^text\/html/i.test(type)) out.html = decoded;
  else if (/^text\/plain/i.test(type)) out.text = decoded;
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? "" : raw.slice(end).replace(/^\r?\n\r?\n/, "");
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string): string {
  const kind = encoding.toLowerCase();
  if (kind === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (kind === "quoted-printable") return decodeQuotedPrintable(body);
  return body;
}

/** RFC 2045 quoted-printable: soft line breaks go, =XX become bytes, bytes become UTF-8. */
export function decodeQuotedPrintable(value: string): string {
  const joined = value.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i]!;
    if (char === "=" && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8").replace(/\r\n/g, "\n");
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=) in a header value. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_match, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : decodeQuotedPrintable(text.replace(/_/g, " ")),
    );
}
