/**
 * Runs a benchmark's main and exits with its code (0 unless it returns one): the system it
 * started may leave handles open, and a failure prints what went wrong and exits 1.
 */
export function runBench(main: () => Promise<number | void>, what = 'benchmark'): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
