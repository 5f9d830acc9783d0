import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type AuditEntry,
  ChainBreak,
  type GetDashboardResponse,
  type ListAuditEntriesRequestSchema,
  type VerifyAuditLogResponse,
} from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import type { z } from "zod";
import { moneyJson } from "../cart/mappers.ts";
import { isoTime } from "../identity/mappers.ts";
import type { AuditEntrySchema, AuditQuerySchema, DashboardSchema, VerificationSchema } from "./schemas.ts";

/** REST ↔ proto mapping of the audit area. */

export function auditListRequest(
  query: z.infer<typeof AuditQuerySchema>,
): MessageInitShape<typeof ListAuditEntriesRequestSchema> {
  return {
    actor: query.actor ?? "",
    subject: query.subject ?? "",
    eventType: query.type ?? "",
    correlationId: query.correlationId ?? "",
    ...(query.from ? { startTime: timestampFromDate(new Date(query.from)) } : {}),
    ...(query.to ? { endTime: timestampFromDate(new Date(query.to)) } : {}),
    pageSize: query.pageSize ?? 0,
    pageToken: query.pageToken ?? "",
  };
}

export function auditEntryJson(entry: AuditEntry): z.infer<typeof AuditEntrySchema> {
  return {
    sequence: Number(entry.sequence),
    eventId: entry.eventId,
    type: entry.eventType,
    context: entry.context,
    actor: entry.actor,
    subject: entry.subject,
    time: isoTime(entry.eventTime),
    correlationId: entry.correlationId,
    causationId: entry.causationId,
    summary: entry.payloadSummary ?? {},
    recordTime: isoTime(entry.recordTime),
    previousHash: entry.previousHash,
    hash: entry.hash,
  };
}

const BREAK_NAMES: Partial<Record<ChainBreak, NonNullable<z.infer<typeof VerificationSchema>["breakKind"]>>> =
  {
    [ChainBreak.HASH_MISMATCH]: "hash_mismatch",
    [ChainBreak.LINK_MISMATCH]: "link_mismatch",
    [ChainBreak.SEQUENCE_GAP]: "sequence_gap",
    [ChainBreak.HEAD_MISMATCH]: "head_mismatch",
  };

export function verificationJson(answer: VerifyAuditLogResponse): z.infer<typeof VerificationSchema> {
  const kind = BREAK_NAMES[answer.breakKind];
  return {
    valid: answer.valid,
    entriesChecked: Number(answer.entriesChecked),
    ...(answer.valid ? {} : { firstBrokenSequence: Number(answer.firstBrokenSequence) }),
    ...(kind ? { breakKind: kind } : {}),
    detail: answer.detail,
    headSequence: Number(answer.headSequence),
    headHash: answer.headHash,
  };
}

export function dashboardJson(answer: GetDashboardResponse): z.infer<typeof DashboardSchema> {
  const orderCounts = (
    row: GetDashboardResponse["dailyOrders"][number] | GetDashboardResponse["totals"][number],
  ) => ({
    ordersPlaced: Number(row.ordersPlaced),
    ordersConfirmed: Number(row.ordersConfirmed),
    ordersFailed: Number(row.ordersFailed),
    ordersCancelled: Number(row.ordersCancelled),
    revenue: moneyJson(row.revenue),
    refunded: moneyJson(row.refunded),
    averageOrderValue: moneyJson(row.averageOrderValue),
  });
  return {
    from: answer.startDate,
    to: answer.endDate,
    totals: answer.totals.map((row) => ({
      currency: row.currency,
      ...orderCounts(row),
      netRevenue: moneyJson(row.netRevenue),
      checkoutSuccessRate: row.checkoutSuccessRate,
      checkoutConversion: row.checkoutSuccessRate,
      paymentsFailed: Number(row.paymentsFailed),
      failedPaymentAmount: moneyJson(row.failedPaymentAmount),
    })),
    daily: answer.dailyOrders.map((row) => ({ date: row.date, currency: row.currency, ...orderCounts(row) })),
    signups: Number(answer.signups),
    dailySignups: answer.dailySignups.map((row) => ({ date: row.date, count: Number(row.count) })),
    cartsCreated: Number(answer.cartsCreated),
    ordersPlaced: Number(answer.ordersPlaced),
    cartConversion: answer.cartConversion,
    dailyCartConversion: answer.dailyCartConversion.map((row) => ({
      date: row.date,
      cartsCreated: Number(row.cartsCreated),
      ordersPlaced: Number(row.ordersPlaced),
      conversion: row.conversion,
    })),
    dailyFailedPayments: answer.dailyFailedPayments.map((row) => ({
      date: row.date,
      currency: row.currency,
      payments: Number(row.payments),
      amount: moneyJson(row.amount),
    })),
    failedOrdersByCode: answer.failedOrdersByCode.map((row) => ({
      code: row.code,
      count: Number(row.count),
    })),
    failedPaymentsByCode: answer.failedPaymentsByCode.map((row) => ({
      code: row.code,
      count: Number(row.count),
    })),
    topProducts: answer.topProducts.map((row) => ({
      sku: row.sku,
      productId: row.productId,
      productName: row.productName,
      currency: row.currency,
      units: Number(row.units),
      revenue: moneyJson(row.revenue),
    })),
    asOf: {
      sequence: Number(answer.asOfSequence),
      ...(answer.asOfTime ? { time: isoTime(answer.asOfTime) } : {}),
    },
  };
}
