import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  AuditService,
  CurrencyTotalsSchema,
  GetDashboardResponseSchema,
} from "@shopmesh/contracts/shopmesh/audit/v1/audit_pb";
import type { ServiceHandlers } from "@shopmesh/kit/rpc";
import {
  averageOrderValue,
  cartConversion,
  checkoutSuccessRate,
  type DayRange,
  dashboardQuery,
} from "../domain/dashboard.ts";
import type { DashboardData } from "../store/index.ts";
import type { AuditDeps } from "./deps.ts";

type Handlers = ServiceHandlers<typeof AuditService>;

/** The admin dashboard's figures (staff with dashboard.read). */
export function dashboardHandlers(deps: AuditDeps): Pick<Handlers, "getDashboard"> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async getDashboard(request) {
      const query = dashboardQuery(request, now());
      const data = await store.dashboard(query);
      return dashboardMessage(query.range, data);
    },
  };
}

function money(amountMinor: bigint, currency: string) {
  return { amountMinor, currency };
}

type Totals = MessageInitShape<typeof CurrencyTotalsSchema> & {
  currency: string;
  ordersPlaced: bigint;
  ordersConfirmed: bigint;
  ordersFailed: bigint;
  ordersCancelled: bigint;
  paymentsFailed: bigint;
  revenueMinor: bigint;
  refundedMinor: bigint;
  failedMinor: bigint;
};

/** The response's figures; totals and averages are derived here from the daily counters. */
export function dashboardMessage(
  range: DayRange,
  data: DashboardData,
): MessageInitShape<typeof GetDashboardResponseSchema> {
  const totals = new Map<string, Totals>();
  const totalsOf = (currency: string) => {
    let entry = totals.get(currency);
    if (!entry) {
      entry = {
        currency,
        ordersPlaced: 0n,
        ordersConfirmed: 0n,
        ordersFailed: 0n,
        ordersCancelled: 0n,
        paymentsFailed: 0n,
        revenueMinor: 0n,
        refundedMinor: 0n,
        failedMinor: 0n,
      };
      totals.set(currency, entry);
    }
    return entry;
  };
  for (const row of data.orders) {
    const entry = totalsOf(row.currency);
    entry.ordersPlaced += row.ordersPlaced;
    entry.ordersConfirmed += row.ordersConfirmed;
    entry.ordersFailed += row.ordersFailed;
    entry.ordersCancelled += row.ordersCancelled;
    entry.revenueMinor += row.revenueMinor;
    entry.refundedMinor += row.refundedMinor;
  }
  for (const row of data.failedPayments) {
    const entry = totalsOf(row.currency);
    entry.paymentsFailed += row.payments;
    entry.failedMinor += row.amountMinor;
  }

  const cartsCreated = data.carts.reduce((sum, row) => sum + row.cartsCreated, 0n);
  const cartOrdersPlaced = data.carts.reduce((sum, row) => sum + row.ordersPlaced, 0n);

  return {
    startDate: range.start,
    endDate: range.end,
    totals: [...totals.values()]
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
      .map((entry) => ({
        currency: entry.currency,
        ordersPlaced: entry.ordersPlaced,
        ordersConfirmed: entry.ordersConfirmed,
        ordersFailed: entry.ordersFailed,
        ordersCancelled: entry.ordersCancelled,
        revenue: money(entry.revenueMinor, entry.currency),
        refunded: money(entry.refundedMinor, entry.currency),
        netRevenue: money(entry.revenueMinor - entry.refundedMinor, entry.currency),
        averageOrderValue: money(
          averageOrderValue(entry.revenueMinor, entry.ordersConfirmed),
          entry.currency,
        ),
        checkoutSuccessRate: checkoutSuccessRate(entry.ordersConfirmed, entry.ordersPlaced),
        // Deprecated alias of checkoutSuccessRate, for clients of before cart_conversion.
        checkoutConversion: checkoutSuccessRate(entry.ordersConfirmed, entry.ordersPlaced),
        paymentsFailed: entry.paymentsFailed,
        failedPaymentAmount: money(entry.failedMinor, entry.currency),
      })),
    dailyOrders: data.orders.map((row) => ({
      date: row.day,
      currency: row.currency,
      ordersPlaced: row.ordersPlaced,
      ordersConfirmed: row.ordersConfirmed,
      ordersFailed: row.ordersFailed,
      ordersCancelled: row.ordersCancelled,
      revenue: money(row.revenueMinor, row.currency),
      refunded: money(row.refundedMinor, row.currency),
      averageOrderValue: money(averageOrderValue(row.revenueMinor, row.ordersConfirmed), row.currency),
    })),
    dailySignups: data.signups.map((row) => ({ date: row.day, count: row.count })),
    signups: data.signups.reduce((sum, row) => sum + row.count, 0n),
    dailyFailedPayments: data.failedPayments.map((row) => ({
      date: row.day,
      currency: row.currency,
      payments: row.payments,
      amount: money(row.amountMinor, row.currency),
    })),
    failedOrdersByCode: data.failedOrdersByCode,
    failedPaymentsByCode: data.failedPaymentsByCode,
    topProducts: data.topProducts.map((row) => ({
      sku: row.sku,
      productId: row.productId,
      productName: row.productName,
      currency: row.currency,
      units: row.units,
      revenue: money(row.revenueMinor, row.currency),
    })),
    dailyCartConversion: data.carts.map((row) => ({
      date: row.day,
      cartsCreated: row.cartsCreated,
      ordersPlaced: row.ordersPlaced,
      conversion: cartConversion(row.ordersPlaced, row.cartsCreated),
    })),
    cartsCreated,
    ordersPlaced: cartOrdersPlaced,
    cartConversion: cartConversion(cartOrdersPlaced, cartsCreated),
    asOfSequence: BigInt(data.asOf.sequence),
    ...(data.asOf.recordTime ? { asOfTime: timestampFromDate(data.asOf.recordTime) } : {}),
  };
}
