import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Context, Liquid, type Template, toValueSync } from "liquidjs";
import {
  type Channel,
  isChannel,
  isNotificationType,
  NOTIFICATION_TYPES,
  type NotificationType,
} from "../domain/catalogue.ts";
import type { TemplateData } from "../domain/intent.ts";
import { registerFilters } from "./filters.ts";
import { createPartTag, PARTS_REGISTER } from "./part-tag.ts";

/** The templates shipped with the service. */
export const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** The locale every type and channel has a template in: the last fallback. */
export const BASE_LOCALE = "en";

/** The parts each channel's templates must define. */
export const REQUIRED_PARTS: Record<Channel, readonly string[]> = {
  email: ["subject", "html", "text"],
  sms: ["text"],
  push: ["title", "body"],
  in_app: ["title", "body"],
};

/** The rendered parts of one message; which are set depends on the channel (REQUIRED_PARTS). */
export interface MessageParts {
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  body?: string;
}

export interface RenderRequest {
  type: NotificationType;
  channel: Channel;
  /** The reader's locale ("de-CH"); the nearest template is used. */
  locale: string;
  data: TemplateData;
  recipient: { name: string; email: string };
}

export interface RenderedMessage {
  /** The locale the text is in and numbers are formatted for. */
  locale: string;
  parts: MessageParts;
}

export interface TemplateLibrary {
  /** Renders a message; throws a TemplateError when a template fails. */
  render(request: RenderRequest): RenderedMessage;
  /** The locales a type and channel have templates in. */
  locales(type: NotificationType, channel: Channel): string[];
}

export interface TemplateLibraryOptions {
  /** Default TEMPLATES_DIR. */
  dir?: string;
  /** Tried after the reader's locale and its language, before BASE_LOCALE. */
  defaultLocale: string;
  shop: { name: string; url: string };
}

/** A template is missing, malformed, or failed to render. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

/**
 * The message templates: LiquidJS files, one per notification type, channel and locale, at
 * `<dir>/<type>/<channel>.<locale>.liquid`, each defining its channel's parts with
 * `{% part subject %}...{% endpart %}`. Shared pieces live in `<dir>/_partials` (`{% render %}`)
 * and the email frames in `<dir>/_layouts`.
 *
 * Every file is parsed at start, and every type and channel of the catalogue must have a
 * BASE_LOCALE template defining the channel's parts, so a broken template stops the service
 * instead of a customer's email. A reader's locale falls back: "de-CH" → "de" → default → "en".
 *
 * Output in `html` parts (and the HTML layout) is HTML-escaped; everything else is plain text.
 * Globals every template sees: `locale`, `shop.name`, `shop.url`, `recipient.name`,
 * `recipient.email`; the rest comes from the notification's data (see the README).
 */
export function createTemplateLibrary(options: TemplateLibraryOptions): TemplateLibrary {
  const dir = options.dir ?? TEMPLATES_DIR;
  const common = { root: [dir], extname: ".liquid", strictFilters: true, cache: true, jsTruthy: false };
  const html = new Liquid({ ...common, outputEscape: "escape" });
  const text = new Liquid(common);
  const engineFor = (part: string) => (part === "html" ? html : text);
  for (const engine of [html, text]) {
    engine.registerTag("part", createPartTag(engineFor));
    registerFilters(engine);
  }

  const templates = loadTemplates(dir, text);
  const layouts = {
    html: html.parse(readLayout(dir, "email.html")),
    text: text.parse(readLayout(dir, "email.text")),
  };

  const key = (type: string, channel: string, locale: string) => `${type}/${channel}/${locale}`;

  function candidates(locale: string): string[] {
    const exact = locale.toLowerCase();
    const language = exact.split("-")[0] ?? exact;
    return [...new Set([exact, language, options.defaultLocale.toLowerCase(), BASE_LOCALE])];
  }

  function run(
    parsed: Template[],
    engine: Liquid,
    scope: object,
    globals: object,
    parts: Record<string, string>,
  ): string {
    const ctx = new Context(scope, engine.options, { globals, strictVariables: false }, { liquid: engine });
    ctx.setRegister(PARTS_REGISTER, parts);
    return toValueSync(engine.renderer.renderTemplates(parsed, ctx)) as string;
  }

  return {
    locales(type, channel) {
      return [...templates.keys()]
        .filter((k) => k.startsWith(`${type}/${channel}/`))
        .map((k) => k.split("/")[2]!)
        .sort();
    },

    render(request) {
      const found = candidates(request.locale)
        .map((locale) => ({ locale, parsed: templates.get(key(request.type, request.channel, locale)) }))
        .find((entry) => entry.parsed !== undefined);
      if (!found?.parsed) {
        throw new TemplateError(`no template for ${request.type} ${request.channel} (${request.locale})`);
      }
      // Numbers and dates follow the reader's own locale when the text is in their language
      // (de-CH readers of the German text get Swiss formats), else the text's locale.
      const formatLocale =
        request.locale.toLowerCase().split("-")[0] === found.locale.split("-")[0]
          ? request.locale
          : found.locale;
      const globals = { locale: formatLocale, shop: { ...options.shop } };
      const scope = { ...request.data, recipient: { ...request.recipient } };
      const parts: Record<string, string> = {};
      try {
        run(found.parsed, text, scope, globals, parts);
        for (const part of REQUIRED_PARTS[request.channel]) {
          if (parts[part] === undefined) throw new TemplateError(`part "${part}" is missing`);
        }
        const message: MessageParts = {};
        for (const [name, value] of Object.entries(parts)) {
          (message as Record<string, string>)[name] = tidy(name, value);
        }
        if (request.channel === "email") {
          const frame = { ...scope, subject: message.subject };
          message.html = run(layouts.html, html, { ...frame, content: message.html }, globals, {}).trim();
          message.text = run(layouts.text, text, { ...frame, content: message.text }, globals, {}).trim();
        }
        return { locale: formatLocale, parts: message };
      } catch (error) {
        if (error instanceof TemplateError) {
          throw new TemplateError(`${request.type}/${request.channel}.${found.locale}: ${error.message}`);
        }
        throw new TemplateError(
          `${request.type}/${request.channel}.${found.locale}: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      }
    },
  };
}

/** One-line parts (subjects, titles) on one line; text parts without blank runs at the ends. */
function tidy(part: string, value: string): string {
  if (part === "subject" || part === "title") return value.replace(/\s+/g, " ").trim();
  return value
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const FILE = /^([a-z_]+)\.([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\.liquid$/;

/** Parses every `<type>/<channel>.<locale>.liquid` and checks the catalogue is covered. */
function loadTemplates(dir: string, engine: Liquid): Map<string, Template[]> {
  const loaded = new Map<string, Template[]>();
  const problems: string[] = [];
  for (const type of readdirSync(dir)) {
    if (type.startsWith("_") || !statSync(join(dir, type)).isDirectory()) continue;
    if (!isNotificationType(type)) {
      problems.push(`${type}/: not a notification type`);
      continue;
    }
    for (const file of readdirSync(join(dir, type))) {
      const match = FILE.exec(file);
      const channel = match?.[1] ?? "";
      const locale = match?.[2] ?? "";
      if (
        !match ||
        !isChannel(channel) ||
        !(NOTIFICATION_TYPES[type].channels as readonly Channel[]).includes(channel)
      ) {
        problems.push(`${type}/${file}: expected <channel>.<locale>.liquid for a channel of ${type}`);
        continue;
      }
      try {
        const path = join(dir, type, file);
        const parsed = engine.parse(readFileSync(path, "utf8"), path);
        const parts = new Set(
          parsed.flatMap((t) => ("part" in t && typeof t.part === "string" ? [t.part] : [])),
        );
        const missing = REQUIRED_PARTS[channel].filter((part) => !parts.has(part));
        if (missing.length > 0) problems.push(`${type}/${file}: missing part ${missing.join(", ")}`);
        loaded.set(`${type}/${channel}/${locale}`, parsed);
      } catch (error) {
        problems.push(`${type}/${file}: ${(error as Error).message}`);
      }
    }
  }
  for (const [type, spec] of Object.entries(NOTIFICATION_TYPES)) {
    for (const channel of spec.channels) {
      if (!loaded.has(`${type}/${channel}/${BASE_LOCALE}`)) {
        problems.push(`${type}/${channel}.${BASE_LOCALE}.liquid: missing`);
      }
    }
  }
  if (problems.length > 0) throw new TemplateError(`templates in ${dir}:\n  ${problems.join("\n  ")}`);
  return loaded;
}

function readLayout(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, "_layouts", `${name}.liquid`), "utf8");
  } catch (error) {
    throw new TemplateError(`templates in ${dir}: _layouts/${name}.liquid: ${(error as Error).message}`);
  }
}
