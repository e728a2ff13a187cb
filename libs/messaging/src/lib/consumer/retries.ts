/** The wait before another attempt: doubling from `base` up to 5 s, with jitter (half to one and a half of it). */
export function retryDelayMs(base: number, attempt: number): number {
  const delay = Math.min(5000, base * 2 ** Math.min(attempt - 1, 16));
  return delay / 2 + Math.random() * delay;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An error as a dead-letter reason or a log line names it. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
