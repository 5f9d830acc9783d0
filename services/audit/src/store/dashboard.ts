import type { DashboardQuery } from "../domain/dashboard.ts";
import { qualified, type Sql, toBigInt, toDate } from "./sql.ts";

/** The dashboard's reads over the live projection tables. */

export interface OrdersRow {
  day: string;
  currency: string;
  ordersPlaced: bigint;
  ordersConfirmed: bigint;
  ordersFailed: bigint;
  ordersCancelled: bigint;
  revenueMinor: bigint;
  refunds: bigint;
  refundedMinor: bigint;
}

export interface FailedPaymentsRow {
  day: string;
  currency: string;
  payments: bigint;
  amountMinor: bigint;
}

/** Carts created and orders placed (every currency) on one day: the day's checkout conversion. */
export interface CartsRow {
  day: string;
  cartsCreated: bigint;
  ordersPlaced: bigint;
}

export interface CodeCount {
  code: string;
  count: bigint;
}

export interface ProductSalesRow {
  sku: string;
  productId: string;
  productName: string;
  currency: string;
  units: bigint;
  revenueMinor: bigint;
}

export interface DashboardData {
  orders: OrdersRow[];
  signups: { day: string; count: bigint }[];
  /** Days with carts or orders; the currency filter does not apply (carts have no currency). */
  carts: CartsRow[];
  failedPayments: FailedPaymentsRow[];
  failedPaymentsByCode: CodeCount[];
  failedOrdersByCode: CodeCount[];
  topProducts: ProductSalesRow[];
  asOf: { sequence: number; recordTime?: Date };
}

export interface DashboardRepository {
  /** Every figure of the query, read in one snapshot (call it inside a REPEATABLE READ transaction). */
  read(query: DashboardQuery): Promise<DashboardData>;
}

export function createDashboardRepository(sql: Sql, schema: string): DashboardRepository {
  const table = (name: string) => qualified(schema, name);
  return {
    async read(query) {
      const { range, currency } = query;
      // Every statement takes the range first and the currency ("" = all) second.
      const base = [range.start, range.end, currency];
      const inRange = "day between ?::date and ?::date and (? = '' or currency = ?)";
      const params = [...base, currency];

      const orders = await sql<Record<string, string>>(
        `select day::text as day, currency, orders_placed::text, orders_confirmed::text, orders_failed::text,
           orders_cancelled::text, revenue_minor::text, refunds::text, refunded_minor::text
         from ${table("orders_daily")} where ${inRange} order by day, currency`,
        params,
      );
      const signups = await sql<{ day: string; signups: string }>(
        `select day::text as day, signups::text from ${table("signups_daily")}
         where day between ?::date and ?::date order by day`,
        [range.start, range.end],
      );
      const carts = await sql<{ day: string; carts: string; orders: string }>(
        `select day::text as day, sum(carts)::text as carts, sum(orders)::text as orders from (
           select day, carts_created as carts, 0::bigint as orders from ${table("carts_daily")}
           where day between ?::date and ?::date
           union all
           select day, 0::bigint, orders_placed from ${table("orders_daily")}
           where day between ?::date and ?::date
         ) x group by day having sum(carts) > 0 or sum(orders) > 0 order by day`,
        [range.start, range.end, range.start, range.end],
      );
      const failedPayments = await sql<Record<string, string>>(
        `select day::text as day, currency, sum(payments)::text as payments, sum(amount_minor)::text as amount_minor
         from ${table("failed_payments_daily")} where ${inRange}
         group by day, currency order by day, currency`,
        params,
      );
      const failedPaymentsByCode = await sql<{ code: string; n: string }>(
        `select failure_code as code, sum(payments)::text as n from ${table("failed_payments_daily")}
         where ${inRange} group by failure_code order by sum(payments) desc, failure_code`,
        params,
      );
      const failedOrdersByCode = await sql<{ code: string; n: string }>(
        `select failure_code as code, sum(orders)::text as n from ${table("failed_orders_daily")}
         where ${inRange} group by failure_code order by sum(orders) desc, failure_code`,
        params,
      );
      const topProducts = await sql<Record<string, string>>(
        `select s.sku, s.currency, coalesce(n.product_id, '') as product_id,
           coalesce(n.product_name, '') as product_name,
           sum(s.units)::text as units, sum(s.revenue_minor)::text as revenue_minor
         from ${table("product_sales_daily")} s left join ${table("product_names")} n on n.sku = s.sku
         where s.day between ?::date and ?::date and (? = '' or s.currency = ?)
         group by s.sku, s.currency, n.product_id, n.product_name
         order by sum(s.units) desc, sum(s.revenue_minor) desc, s.sku, s.currency
         limit ?`,
        [...params, query.topProducts],
      );
      const [head] = await sql<{ sequence: string; record_time: unknown }>(
        `select h.sequence::text as sequence, e.record_time
         from ${table("audit_chain_head")} h left join ${table("audit_entries")} e on e.sequence = h.sequence`,
      );

      return {
        orders: orders.map((row) => ({
          day: row.day!,
          currency: row.currency!,
          ordersPlaced: toBigInt(row.orders_placed),
          ordersConfirmed: toBigInt(row.orders_confirmed),
          ordersFailed: toBigInt(row.orders_failed),
          ordersCancelled: toBigInt(row.orders_cancelled),
          revenueMinor: toBigInt(row.revenue_minor),
          refunds: toBigInt(row.refunds),
          refundedMinor: toBigInt(row.refunded_minor),
        })),
        signups: signups.map((row) => ({ day: row.day, count: toBigInt(row.signups) })),
        carts: carts.map((row) => ({
          day: row.day,
          cartsCreated: toBigInt(row.carts),
          ordersPlaced: toBigInt(row.orders),
        })),
        failedPayments: failedPayments.map((row) => ({
          day: row.day!,
          currency: row.currency!,
          payments: toBigInt(row.payments),
          amountMinor: toBigInt(row.amount_minor),
        })),
        failedPaymentsByCode: failedPaymentsByCode.map((row) => ({ code: row.code, count: toBigInt(row.n) })),
        failedOrdersByCode: failedOrdersByCode.map((row) => ({ code: row.code, count: toBigInt(row.n) })),
        topProducts: topProducts.map((row) => ({
          sku: row.sku!,
          productId: row.product_id!,
          productName: row.product_name!,
          currency: row.currency!,
          units: toBigInt(row.units),
          revenueMinor: toBigInt(row.revenue_minor),
        })),
        asOf: {
          sequence: Number(head?.sequence ?? 0),
          ...(head?.record_time ? { recordTime: toDate(head.record_time) } : {}),
        },
      };
    },
  };
}
