import type { TopicMessages } from 'kafkajs';
import { handlingScope, type Rider } from './handling-scope';

/**
 * From now until `sendWithRiders`, the events of work that handles this message (claims it in
 * the inbox; the handler's own, usually last, commit) wait to go out with its answer: one
 * produce request for both, where publishing the events first and then the answer took two
 * round trips. Their order, and per-key order, hold: the consumer moves on only after the answer
 * is sent. Other commits made in this context publish at once: work for other messages (a
 * group of decisions done by a loop this message started) or for none.
 */
export function gatherRiders(messageId: string): void {
  const scope = handlingScope.getStore();
  if (!scope) return;
  scope.answering = messageId;
  scope.riders = [];
}

/**
 * Called after a commit with the ids of the messages its work handled: true if its events wait
 * for the answer (sent with it), false to publish them now.
 */
export function rideWithAnswer(handles: readonly string[], rider: Rider): boolean {
  const scope = handlingScope.getStore();
  if (!scope?.riders || handles.length !== 1 || handles[0] !== scope.answering) return false;
  scope.riders.push(rider);
  return true;
}

/** The riders gathered so far, taken from the scope (`more`: keep gathering after them). */
function takeRiders(more: boolean): Rider[] {
  const scope = handlingScope.getStore();
  const riders = scope?.riders;
  if (!scope || !riders) return [];
  scope.riders = more ? [] : undefined;
  if (!more) scope.answering = undefined;
  return riders;
}

/** Each relay's events in one call, in commit order; the first call carries `along`. */
function publishTogether(riders: readonly Rider[], along: readonly TopicMessages[]): Promise<boolean[]> {
  const byRelay = new Map<Rider['relay'], Rider['messages'][number][]>();
  for (const { relay, messages } of riders) byRelay.set(relay, [...(byRelay.get(relay) ?? []), ...messages]);
  return Promise.all([...byRelay].map(([relay, messages], i) => relay.publishCommitted(messages, i === 0 ? along : [])));
}

/**
 * Publishes the events gathered so far, and goes on gathering: called before anything else this
 * handler sends (a request to another service, say), which may count on them being out.
 */
export function releaseRiders(): Promise<void> {
  return publishGathered(true);
}

/** Stops gathering and publishes what was gathered: for a handler that ended without sending its answer. */
export function endGathering(): Promise<void> {
  return publishGathered(false);
}

async function publishGathered(more: boolean): Promise<void> {
  const riders = takeRiders(more);
  if (riders.length > 0) await publishTogether(riders, []);
}

/**
 * Sends the answer: with the events gathered since `gatherRiders`, or alone when there were none
 * or they could not be published now (the outbox's poller publishes them later). Commits after
 * this publish at once.
 */
export async function sendWithRiders(answer: readonly TopicMessages[], sendAlone: (answer: readonly TopicMessages[]) => Promise<void>): Promise<void> {
  const riders = takeRiders(false);
  const [carried] = riders.length > 0 ? await publishTogether(riders, answer) : [false];
  if (!carried) await sendAlone(answer);
}
