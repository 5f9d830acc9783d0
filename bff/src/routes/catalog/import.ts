import type { MessageInitShape } from "@bufbuild/protobuf";
import { z } from "@hono/zod-openapi";
import {
  type ImportProductsRequestSchema,
  ProductState,
} from "@shopmesh/contracts/shopmesh/catalog/v1/catalog_pb";
import { ProblemError } from "../../errors/index.ts";

/**
 * The NDJSON side of a product import: the body read as a stream and split into lines, each line
 * parsed into an ImportProducts row. Lines that are not a product in the export's shape are
 * reported here with their line number and never sent; the catalog validates the rest.
 */

/** Largest import body accepted. */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;
/** Largest single line: one product, far above what 100 variants take. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface ImportRowError {
  line: number;
  message: string;
  fields: string[];
}

type Row = MessageInitShape<typeof ImportProductsRequestSchema>;

/**
 * One line of an import: the export's product shape. Output-only fields (ids, version, times)
 * are accepted and ignored; values are only type-checked here, their rules are the catalog's.
 */
const ImportLineSchema = z.object({
  slug: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  state: z.enum(["draft", "active", "archived"]).optional(),
  categoryIds: z.array(z.string()).optional(),
  attributes: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  images: z.array(z.object({ url: z.string(), altText: z.string().optional() })).optional(),
  variants: z
    .array(
      z.object({
        sku: z.string(),
        title: z.string().optional(),
        optionValues: z.record(z.string(), z.string()).optional(),
        price: z.object({
          amountMinor: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
          currency: z.string().optional(),
        }),
        weightGrams: z
          .number()
          .int()
          .min(-(2 ** 31))
          .max(2 ** 31 - 1)
          .optional(),
      }),
    )
    .optional(),
});

const STATES = { draft: ProductState.DRAFT, active: ProductState.ACTIVE, archived: ProductState.ARCHIVED };

/**
 * Reads `body` line by line (1-based numbers; blank lines skipped), yielding the rows to send and
 * passing each line that is not a product to `reject`. Throws a 413 problem past IMPORT_MAX_BYTES.
 */
export async function* importRows(
  body: ReadableStream<Uint8Array> | null,
  reject: (error: ImportRowError) => void,
): AsyncGenerator<Row> {
  for await (const { line, text } of lines(body)) {
    const row = parseLine(line, text);
    if ("message" in row) reject(row);
    else yield row;
  }
}

async function* lines(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<{ line: number; text: string }> {
  if (!body) return;
  const decoder = new TextDecoder();
  let pending = "";
  let line = 0;
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > IMPORT_MAX_BYTES) {
      throw new ProblemError({
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        detail: `The import is larger than ${IMPORT_MAX_BYTES} bytes.`,
      });
    }
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      line++;
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (text.trim() !== "") yield { line, text };
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_LINE_BYTES) {
      throw new ProblemError({
        status: 413,
        code: "PAYLOAD_TOO_LARGE",
        detail: `Line ${line + 1} is longer than ${MAX_LINE_BYTES} bytes.`,
      });
    }
  }
  pending += decoder.decode();
  if (pending.trim() !== "") yield { line: line + 1, text: pending };
}

function parseLine(line: number, text: string): Row | ImportRowError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, message: `not valid JSON: ${(error as Error).message}`, fields: [] };
  }
  const parsed = ImportLineSchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => jsonPath(issue.path));
    const message = parsed.error.issues.map((issue) => `${jsonPath(issue.path) || "line"}: ${issue.message}`);
    return { line, message: message.join("; "), fields: fields.filter((field) => field !== "") };
  }
  const product = parsed.data;
  return {
    line,
    product: {
      slug: product.slug ?? "",
      name: product.name ?? "",
      description: product.description ?? "",
      state: product.state ? STATES[product.state] : ProductState.UNSPECIFIED,
      categoryIds: product.categoryIds ?? [],
      attributes: product.attributes ?? [],
      images: (product.images ?? []).map(({ url, altText }) => ({ url, altText: altText ?? "" })),
      variants: (product.variants ?? []).map((variant) => ({
        sku: variant.sku,
        title: variant.title ?? "",
        optionValues: variant.optionValues ?? {},
        price: { amountMinor: BigInt(variant.price.amountMinor), currency: variant.price.currency ?? "" },
        weightGrams: variant.weightGrams ?? 0,
      })),
    },
  };
}

/** ["variants", 0, "price"] → "variants[0].price". */
function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

/** A catalog field path ("product.variants[0].sku") as the JSON body's ("variants[0].sku"). */
export function bodyField(field: string): string {
  return field.replace(/^product\.?/, "") || "body";
}
