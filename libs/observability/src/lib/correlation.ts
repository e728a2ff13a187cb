import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids that tie every log line and message of one user action together. */
export interface CorrelationContext {
  correlationId: string;
  causationId?: string | null;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export function runWithCorrelation<T>(context: CorrelationContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}
