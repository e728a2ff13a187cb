import type { MessageHandler } from '@nestjs/microservices';
import { TOPICS, type MessageType } from '@gatehouse/contracts';
import { batchTopicsOf } from './batch-topics';

/** A handler as Nest registers it: one per pattern, a method's patterns sharing its extras. */
const handler = (extras: Record<string, unknown> | undefined, isEventHandler = true): MessageHandler =>
  Object.assign(async () => undefined, { isEventHandler, extras }) as unknown as MessageHandler;
const wiring = (entries: [MessageType, MessageHandler][]) => new Map(entries);

describe('which topics are taken a batch at a time', () => {
  it('takes a topic whose every handler is one batch method, and leaves the others alone', () => {
    const record = { batch: true };
    const topics = batchTopicsOf('audit-reporting', wiring([
      ['access.requested', handler(record)],
      ['access.cancelled', handler(record)],
      ['audit.query', handler(undefined, false)],
    ]));
    expect([...topics]).toEqual([TOPICS.accessEvents]);
  });

  it('refuses to start when a batch would reach a handler of single messages, be split between methods, or has nobody to answer', () => {
    expect(() => batchTopicsOf('svc', wiring([['access.requested', handler({ batch: true })], ['access.cancelled', handler(undefined)]]))).toThrow(
      /svc cannot start: gatehouse\.access\.events\.v1 has a batch handler and handlers of single messages \("access\.cancelled"\)/,
    );
    expect(() => batchTopicsOf('svc', wiring([['access.requested', handler({ batch: true })], ['access.cancelled', handler({ batch: true })]]))).toThrow('has 2 batch handlers');
    expect(() => batchTopicsOf('svc', wiring([['audit.query', handler({ batch: true }, false)]]))).toThrow('must be an @EventPattern');
    const chained = Object.assign(handler({ batch: true }), { next: handler(undefined) });
    expect(() => batchTopicsOf('svc', wiring([['access.requested', chained]]))).toThrow('must be the only one for its types');
  });
});
