import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTransport } from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { startMailSink, subjectOf } from "./mail-sink.ts";

describe("the development mail sink", () => {
  const dir = mkdtempSync(join(tmpdir(), "shopmesh-mail-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps each message as an .eml file and logs its recipient and subject", async () => {
    const lines: string[] = [];
    const sink = await startMailSink({ port: 0, dir, log: (line) => lines.push(line) });
    try {
      const transport = createTransport({ url: sink.url });
      await transport.sendMail({
        from: "shop@example.test",
        to: "ada@example.test",
        subject: "Ihre Bestellung ist bestätigt",
        text: "Danke!",
      });
      transport.close();
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(readFileSync(join(dir, files[0] ?? ""), "utf8")).toContain("Danke!");
      expect(lines).toEqual([
        expect.stringContaining("mail to ada@example.test: Ihre Bestellung ist bestätigt"),
      ]);
    } finally {
      await sink.stop();
    }
  });

  it("decodes encoded subjects and says when there is none", () => {
    expect(subjectOf(Buffer.from("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\nbody"))).toBe("Grüße");
    expect(subjectOf(Buffer.from("To: x@example.test\r\n\r\nSubject: not a header"))).toBeUndefined();
  });
});
