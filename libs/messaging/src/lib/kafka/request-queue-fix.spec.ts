import { applyRequestQueueFix, requestQueuePrototype } from './request-queue-fix';

/** kafkajs's per-connection request queue, as the fix sees it, plus what the spec drives. */
interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
}
interface Entry {
  correlationId: number;
  apiName: string;
  apiKey: number;
  apiVersion: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => Queue;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = (maxInFlightRequests = 1) => new RequestQueue({ maxInFlightRequests, requestTimeout: 30000, enforceRequestTimeout: false, clientId: 'spec', broker: 'b:9092', logger: quiet });
const entry = (correlationId: number): Entry => ({ correlationId, apiName: 'Fetch', apiKey: 1, apiVersion: 11, resolve: () => undefined, reject: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kafkajs's request queue, fixed", () => {
  const original = requestQueuePrototype.scheduleCheckPendingRequests;
  let queue: Queue;
  afterEach(() => {
    if (queue.throttleCheckTimeoutId) clearTimeout(queue.throttleCheckTimeoutId);
    queue.destroy();
  });

  it('as released, arms a 1 ms timer after every check even with nothing waiting (the loop the fix removes)', () => {
    queue = newQueue();
    original.call(queue);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  describe('with the fix', () => {
    beforeAll(() => applyRequestQueueFix());

    it('arms no timer when nothing waits and nothing is throttled', () => {
      queue = newQueue();
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    });

    it('still sends a request queued behind one in flight, as soon as that one is answered', () => {
      queue = newQueue(1);
      const sent: number[] = [];
      queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(1) });
      queue.push({ entry: entry(2), expectResponse: true, sendRequest: () => sent.push(2) });
      expect(sent).toEqual([1]);
      queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      expect(sent).toEqual([1, 2]);
    });

    it('still sends a request held back by a broker throttle once the throttle ends', async () => {
      queue = newQueue(5);
      queue.throttledUntil = Date.now() + 40;
      const sent: number[] = [];
      queue.push({ entry: entry(1), expectResponse: true, sendRequest: () => sent.push(1) });
      expect(sent).toEqual([]);
      await sleep(80);
      expect(sent).toEqual([1]);
      expect(queue.throttleCheckTimeoutId).toBeNull();
    });
  });
});
