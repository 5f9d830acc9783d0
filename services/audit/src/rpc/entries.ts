import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { AuditService } from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import { type FieldViolation, throwIfInvalid } from "@shopmesh/kit/errors";
import { decodePageToken, filterHash, nextPageToken, pageSize } from "@shopmesh/kit/paging";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import type { EntryFilter } from "../store/index.ts";
import { requireAdmin } from "./access.ts";
import { entryMessage, verificationMessage } from "./convert.ts";
import type { AuditDeps } from "./deps.ts";

type Handlers = ServiceHandlers<typeof AuditService>;

export const LIST_AUDIT_ENTRIES_PAGE = { defaultSize: 50, maxSize: 500 } as const;

/** A proto full name, or a package ending in "." ("shopmesh.order.v1."). */
const EVENT_TYPE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.?$/;
const MAX_FILTER_LENGTH = 255;

/** The audit log: listed by staff with audit.read, verified by admins. */
export function entryHandlers(deps: AuditDeps): Pick<Handlers, "listAuditEntries" | "verifyAuditLog"> {
  const { store } = deps;

  return {
    async listAuditEntries(request) {
      const violations: FieldViolation[] = [];
      for (const field of ["actor", "subject", "eventType", "correlationId"] as const) {
        if (request[field].length > MAX_FILTER_LENGTH) {
          violations.push({ field, description: `must be at most ${MAX_FILTER_LENGTH} characters` });
        }
      }
      if (request.eventType && !EVENT_TYPE.test(request.eventType)) {
        violations.push({
          field: "eventType",
          description: 'must be an event\'s full name or a package ending in "." (shopmesh.order.v1.)',
        });
      }
      const startTime = request.startTime ? timestampDate(request.startTime) : undefined;
      const endTime = request.endTime ? timestampDate(request.endTime) : undefined;
      if (startTime && endTime && endTime <= startTime) {
        violations.push({ field: "endTime", description: "must be after startTime" });
      }
      throwIfInvalid(violations);
      const limit = pageSize(request.pageSize, LIST_AUDIT_ENTRIES_PAGE);
      const filters = filterHash([
        request.actor,
        request.subject,
        request.eventType,
        request.correlationId,
        startTime?.toISOString() ?? "",
        endTime?.toISOString() ?? "",
      ]);
      const after = decodePageToken(request.pageToken, filters, ({ key }) => {
        const sequence = Number(key);
        return Number.isSafeInteger(sequence) && sequence > 0 ? sequence : undefined;
      });
      const filter: EntryFilter = {
        ...(request.actor ? { actor: request.actor } : {}),
        ...(request.subject ? { subject: request.subject } : {}),
        ...(request.eventType ? { eventType: request.eventType } : {}),
        ...(request.correlationId ? { correlationId: request.correlationId } : {}),
        ...(startTime ? { startTime } : {}),
        ...(endTime ? { endTime } : {}),
      };
      const entries = await store.list(filter, after, limit + 1);
      return {
        entries: entries.slice(0, limit).map(entryMessage),
        nextPageToken: nextPageToken(
          entries,
          limit,
          (last) => ({ key: String(last.sequence), id: last.eventId }),
          filters,
        ),
      };
    },

    async verifyAuditLog(_request, ctx) {
      requireAdmin(ctx);
      return verificationMessage(await store.verify());
    },
  };
}
