import { isMessageType, topicOf, type MessageType } from '@gatehouse/contracts';
import { WiringError } from '../startup-errors';

export class UnknownHandlerPatternError extends WiringError {
  constructor(service: string, patterns: readonly string[]) {
    super(
      `${service} cannot start: it has handlers for ${patterns.map((p) => `"${p}"`).join(', ')}, which ${patterns.length === 1 ? 'is not a message type' : 'are not message types'} of @gatehouse/contracts, ` +
        'so no topic would bring them anything: add the type to MESSAGES (with its topic and schema) or fix the @EventPattern/@MessagePattern',
    );
    this.name = 'UnknownHandlerPatternError';
  }
}

/**
 * The topics a service consumes, derived from the message types its handlers take: a
 * handler's topic is always subscribed, and a pattern that names no known type stops
 * start-up instead of waiting for messages that can never come.
 */
export function subscriptionsFor(service: string, patterns: readonly string[]): { types: MessageType[]; topics: string[] } {
  const unknown = patterns.filter((p) => !isMessageType(p));
  if (unknown.length > 0) throw new UnknownHandlerPatternError(service, unknown);
  const types = patterns as MessageType[];
  return { types, topics: [...new Set(types.map(topicOf))].sort() };
}
