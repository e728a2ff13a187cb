/** A readiness check: resolves when the dependency answers, rejects (or times out) when not. */
export type HealthCheck = () => Promise<void>;

export interface CheckResult {
  name: string;
  status: 'up' | 'down';
  error?: string;
  durationMs: number;
}

/**
 * Dependencies register their checks here; /readyz runs them all in parallel, each raced
 * against its own timeout so one hung dependency cannot hang the probe.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, { check: HealthCheck; timeoutMs: number }>();

  register(name: string, check: HealthCheck, timeoutMs = 2000): void {
    this.checks.set(name, { check, timeoutMs });
  }

  async runAll(): Promise<{ status: 'up' | 'down'; checks: CheckResult[] }> {
    const checks = await Promise.all(
      [...this.checks.entries()].map(([name, { check, timeoutMs }]) => runOne(name, check, timeoutMs)),
    );
    return { status: checks.every((c) => c.status === 'up') ? 'up' : 'down', checks };
  }
}

async function runOne(name: string, check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, status: 'up', durationMs: Date.now() - started };
  } catch (error) {
    return { name, status: 'down', error: error instanceof Error ? error.message : String(error), durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
