import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

const NAME_STYLES: Style[] = [
  "cyan",
  "magenta",
  "yellow",
  "green",
  "blue",
  "redBright",
  "cyanBright",
  "magentaBright",
];
const LEVEL_STYLES: Record<string, Style> = {
  fatal: ["bold", "red"],
  error: "red",
  warn: "yellow",
  info: "green",
  debug: "gray",
  trace: "gray",
};
const NUMERIC_LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
/** Fields every service line carries that a terminal reader does not need repeated. */
const HIDDEN_FIELDS = new Set(["level", "time", "msg", "service", "pid", "hostname", "v"]);

export interface LineFormatterOptions {
  /** Every name that will be printed, so the prefixes line up. */
  names: readonly string[];
  /** ANSI colours (a TTY without NO_COLOR). */
  color: boolean;
}

/**
 * Formats the processes' output for a terminal: `identity | 12:00:01.123 INFO  message key=value`.
 * Services log pino JSON lines; anything else (a stack trace, a warning from Node) is printed as is
 * behind the same prefix.
 */
export function createLineFormatter(options: LineFormatterOptions): (name: string, line: string) => string {
  const width = Math.max(0, ...options.names.map((name) => name.length));
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const styles = new Map(
    options.names.map((name, index) => [name, NAME_STYLES[index % NAME_STYLES.length]!]),
  );
  return (name, line) => {
    const prefix = paint(styles.get(name) ?? "white", `${name.padEnd(width)} |`);
    return `${prefix} ${formatBody(line, paint)}`;
  };
}

function formatBody(line: string, paint: (style: Style, text: string) => string): string {
  const record = parseJsonObject(line);
  if (!record) return line;
  const level = levelName(record.level);
  const time = typeof record.time === "string" || typeof record.time === "number" ? clock(record.time) : "";
  const parts = [
    time && paint("gray", time),
    paint(LEVEL_STYLES[level] ?? "white", level.toUpperCase().padEnd(5)),
    typeof record.msg === "string" ? record.msg : "",
  ];
  let stack = "";
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => {
      const error = asError(value);
      if (error) {
        // a stack reads better on its own lines than escaped inside one JSON string
        stack = error.stack ? `\n${indent(error.stack)}` : "";
        return paint("red", `${key}=${error.message}`);
      }
      return paint("gray", `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
    });
  return [...parts.filter(Boolean), ...fields].join(" ") + stack;
}

function asError(value: unknown): { message: string; stack?: string } | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { message, stack } = value as { message?: unknown; stack?: unknown };
  if (typeof message !== "string" || typeof stack !== "string") return undefined;
  return { message, stack };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function levelName(level: unknown): string {
  if (typeof level === "string") return level;
  if (typeof level === "number") return NUMERIC_LEVELS[level] ?? String(level);
  return "log";
}

/** HH:MM:SS.mmm in local time: the date is noise while watching a local platform. */
function clock(time: string | number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (value: number, length = 2) => String(value).padStart(length, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
