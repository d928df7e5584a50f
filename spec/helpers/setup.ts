/**
 * Loaded before every spec: an unhandled rejection or an uncaught exception fails the run.
 */
const failures: unknown[] = [];

process.on('unhandledRejection', (reason) => failures.push(reason));
process.on('uncaughtException', (error) => failures.push(error));

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    const found = failures.splice(0);
    if (found.length > 0) {
      const first = found[0];
      throw new Error(
        `${found.length} unhandled rejection(s) or uncaught exception(s) during this test: ${String(first)}`,
        { cause: first },
      );
    }
  },
};
