/** A step that closes or stops something; it may return a promise and may fail. */
export type CloseStep = () => unknown;

/**
 * The things a service must close, in the reverse order it opened them: what `close` runs after
 * the gRPC server has drained, and what a failed start runs before it rethrows.
 */
export interface Lifecycle {
  /** Registers a step; steps run last-registered first. */
  defer(step: CloseStep): void;
  /**
   * Runs every registered step once, last-registered first. A failing step does not stop the
   * others (a database that will not close must not keep NATS open); its error is dropped.
   */
  undo(): Promise<void>;
  /**
   * Runs the building of a service: on a throw, undoes what was opened so far and rethrows.
   *
   *   return lifecycle.build(async () => {
   *     const db = await createDb(...);
   *     lifecycle.defer(() => db.close());
   *     const nats = await connectNats(...); // fails: db is closed, the error goes on
   *     ...
   *   });
   */
  build<T>(fn: () => Promise<T>): Promise<T>;
}

/** Creates an empty lifecycle. */
export function createLifecycle(): Lifecycle {
  const steps: CloseStep[] = [];
  const undo = async () => {
    // Taken off as they run: a step registered while undoing, or a second undo, closes nothing twice.
    for (let step = steps.pop(); step; step = steps.pop()) {
      try {
        await step();
      } catch {
        // Closing goes on: the remaining steps still hold open resources.
      }
    }
  };
  return {
    defer(step) {
      steps.push(step);
    },
    undo,
    async build(fn) {
      try {
        return await fn();
      } catch (error) {
        await undo();
        throw error;
      }
    },
  };
}
