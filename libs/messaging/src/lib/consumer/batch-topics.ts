import type { MessageHandler } from '@nestjs/microservices';
import { topicOf, type MessageType } from '@gatehouse/contracts';
import { WiringError } from '../startup-errors';

export class BatchHandlerWiringError extends WiringError {
  constructor(service: string, problem: string) {
    super(`${service} cannot start: ${problem}`);
    this.name = 'BatchHandlerWiringError';
  }
}

const isBatch = (handler: MessageHandler): boolean => handler.extras?.['batch'] === true;

/**
 * The topics whose messages go to a batch handler (`@EventPattern(types, { batch: true })`) a
 * fetched batch at a time. Nest registers each of a method's patterns as a handler of its own,
 * all sharing the decorator's `extras` object, so that object stands for the method. A batch
 * gets one call, in offset order, so on such a topic every handler must be that one method; and
 * a batch handler must be an event handler, the only one for its types. Anything else would
 * split a key's events between calls (out of order) or hand an array to a handler expecting one
 * envelope, so it stops start-up, named.
 */
export function batchTopicsOf(service: string, handlers: ReadonlyMap<MessageType, MessageHandler>): Set<string> {
  const methods = new Map<string, Set<unknown>>();
  const plain = new Map<string, MessageType[]>();
  for (const [type, handler] of handlers) {
    const topic = topicOf(type);
    if (!isBatch(handler)) {
      plain.set(topic, [...(plain.get(topic) ?? []), type]);
      continue;
    }
    if (handler.isEventHandler !== true) throw new BatchHandlerWiringError(service, `the batch handler for "${type}" must be an @EventPattern (a batch has nobody to answer)`);
    if (handler.next) throw new BatchHandlerWiringError(service, `"${type}" has a batch handler and another handler: a batch handler must be the only one for its types`);
    methods.set(topic, (methods.get(topic) ?? new Set()).add(handler.extras));
  }
  for (const [topic, batchMethods] of methods) {
    const others = plain.get(topic);
    if (others) throw new BatchHandlerWiringError(service, `${topic} has a batch handler and handlers of single messages (${others.map((t) => `"${t}"`).join(', ')}): every handler on a topic taken a batch at a time must be the same batch handler`);
    if (batchMethods.size > 1) throw new BatchHandlerWiringError(service, `${topic} has ${batchMethods.size} batch handlers: one method must take all its types, so a request's events stay in order`);
  }
  return new Set(methods.keys());
}
