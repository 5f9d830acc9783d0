import type { BenchResult, Target } from "./types.ts";

/** A scenario's row: its figures, or why there are none. */
export type ReportRow = BenchResult | { name: string; error: string };

/** Whether a result meets its target; undefined when it has none. */
export function meetsTarget(result: BenchResult): boolean | undefined {
  const target = result.target;
  if (!target) return undefined;
  if (target.requestsPerSec !== undefined && !(result.requestsPerSec >= target.requestsPerSec)) return false;
  if (target.p99Ms !== undefined && !(result.p99Ms <= target.p99Ms)) return false;
  return true;
}

export function describeTarget(target: Target | undefined): string {
  if (!target) return "";
  const parts: string[] = [];
  if (target.requestsPerSec !== undefined) parts.push(`>= ${formatNumber(target.requestsPerSec)}/s`);
  if (target.p99Ms !== undefined) parts.push(`p99 <= ${target.p99Ms} ms`);
  return parts.join(", ");
}

/** The table printed at the end of a run, one line per figure, the target beside it. */
export function formatTable(rows: readonly ReportRow[]): string {
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "target", "", "what"];
  const lines = rows.map((row) => {
    if ("error" in row) return [row.name, "-", "-", "-", "-", "", "FAILED", firstLine(row.error)];
    const met = meetsTarget(row);
    return [
      row.name,
      formatNumber(row.requestsPerSec),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      String(row.errors ?? 0),
      describeTarget(row.target),
      met === undefined ? "" : met ? "ok" : "MISSED",
      row.note ?? "",
    ];
  });
  const widths = header.map((_, column) =>
    Math.max(...[header, ...lines].map((line) => line[column]!.length)),
  );
  const render = (line: string[]) =>
    line
      .map((cell, column) =>
        column >= 1 && column <= 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [render(header), render(widths.map((width) => "-".repeat(width))), ...lines.map(render)].join("\n");
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-";
}

function formatMs(value: number): string {
  if (!Number.isFinite(value)) return "-";
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
