import { createDb, type Db } from "@shopmesh/kit/db";
import { outboxEntities } from "@shopmesh/kit/events";
import { createTestDatabase } from "@shopmesh/kit/testing";
import { type Order, placeOrder } from "../src/domain/order.ts";
import { startCheckout } from "../src/domain/saga.ts";
import { pendingOrder } from "../src/domain/test-fixtures.ts";
import { createEventRows, createEventWriter } from "../src/events.ts";
import { createOrderStore, MIGRATIONS, ORDER_ENTITIES, type OrderStore } from "../src/store/index.ts";

/** The order store alone on a database of its own (tests of the store and the saga engine). */
export interface TestOrderStore {
  db: Db;
  store: OrderStore;
  /** Closes the store and drops its database. */
  stop(): Promise<void>;
}

/** Migrates a fresh database for the order store; its events go to subjects under `prefix`. */
export async function startOrderStore(prefix: string): Promise<TestOrderStore> {
  const database = await createTestDatabase();
  const db = await createDb({
    url: database.url,
    schema: "order",
    entities: [...ORDER_ENTITIES, ...outboxEntities],
    migrations: MIGRATIONS,
  });
  const store = createOrderStore({
    db,
    recordEvents: createEventWriter({ prefix }),
    outboxRows: createEventRows({ prefix }),
  });
  return {
    db,
    store,
    async stop() {
      await db.close();
      await database.drop();
    },
  };
}

/** A new PENDING order (the fixture's lines) with its checkout saga due since a second ago. */
export async function insertPendingOrder(store: OrderStore): Promise<Order> {
  const order = placeOrder(
    { ...pendingOrder(), id: crypto.randomUUID(), idempotencyKey: crypto.randomUUID() },
    new Date(),
  ).order;
  await store.transaction(async (tx) => {
    await tx.orders.insert(order);
    await tx.sagas.insert(startCheckout(order.id, "tok", new Date(Date.now() - 1000)));
  });
  return order;
}
