import { randomUUID } from 'node:crypto';
import type { TopicMessages } from 'kafkajs';
import { createEnvelope } from '../envelope-factory';
import type { CommittedMessage } from '../outbox/outbox-relay';
import { handlingScope, type Rider } from './handling-scope';
import { endGathering, gatherRiders, releaseRiders, rideWithAnswer, sendWithRiders } from './reply-riders';

const answer: TopicMessages[] = [{ topic: 'replies', messages: [{ key: 'r1', value: '{"ok":true}' }] }];
const inScope = <T>(fn: () => Promise<T>) => handlingScope.run({ deadlineAt: undefined }, fn);

const committed = (subject: string): CommittedMessage => ({
  topic: 'gatehouse.access.events.v1',
  envelope: createEnvelope('access.cancelled', subject, { requestId: randomUUID(), actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'test' }),
  headers: {},
});

/** A relay that records each call: the events' subjects and how many answers rode along. */
function fakeRelay(publishes = true) {
  const calls: string[] = [];
  const relay: Rider['relay'] = {
    publishCommitted: async (messages, along = []) => {
      calls.push(`${messages.map((m) => m.envelope.subject).join('+')} with ${along.length}`);
      return publishes;
    },
  };
  return { relay, calls };
}

describe('events that ride with an answer', () => {
  it('are published at once outside an answer, and a send outside one does not start gathering', async () => {
    const { relay } = fakeRelay();
    expect(rideWithAnswer(['m1'], { relay, messages: [committed('a')] })).toBe(false);
    await inScope(async () => {
      await releaseRiders();
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('a')] })).toBe(false);
    });
  });

  it('go out with the answer: every commit of the handler in one call, in order, carrying it', async () => {
    const { relay, calls } = fakeRelay();
    const alone = jest.fn(async () => undefined);
    await inScope(async () => {
      gatherRiders('m1');
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('a')] })).toBe(true);
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('b'), committed('c')] })).toBe(true);
      expect(calls).toEqual([]);
      await sendWithRiders(answer, alone);
      // Commits after the answer publish at once.
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('d')] })).toBe(false);
    });
    expect(calls).toEqual(['a+b+c with 1']);
    expect(alone).not.toHaveBeenCalled();
  });

  it('are only those of work that handled the message being answered: work for others, or for none, publishes at once', async () => {
    const { relay } = fakeRelay();
    await inScope(async () => {
      gatherRiders('m1');
      // A group of decisions that a loop started by this message commits, say.
      expect(rideWithAnswer(['m2'], { relay, messages: [committed('a')] })).toBe(false);
      expect(rideWithAnswer(['m1', 'm2'], { relay, messages: [committed('b')] })).toBe(false);
      expect(rideWithAnswer([], { relay, messages: [committed('c')] })).toBe(false);
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('d')] })).toBe(true);
    });
  });

  it('are published when the handler ends without sending its answer', async () => {
    const { relay, calls } = fakeRelay();
    await inScope(async () => {
      gatherRiders('m1');
      rideWithAnswer(['m1'], { relay, messages: [committed('a')] });
      await endGathering();
      expect(rideWithAnswer(['m1'], { relay, messages: [committed('b')] })).toBe(false);
    });
    expect(calls).toEqual(['a with 0']);
  });

  it('leave the answer to be sent alone when they could not be published (the poller has them)', async () => {
    const { relay } = fakeRelay(false);
    const alone = jest.fn(async () => undefined);
    await inScope(async () => {
      gatherRiders('m1');
      rideWithAnswer(['m1'], { relay, messages: [committed('a')] });
      await sendWithRiders(answer, alone);
    });
    expect(alone).toHaveBeenCalledWith(answer);
  });

  it('an answer with nothing committed is sent alone', async () => {
    const alone = jest.fn(async () => undefined);
    await inScope(async () => {
      gatherRiders('m1');
      await sendWithRiders(answer, alone);
    });
    expect(alone).toHaveBeenCalledWith(answer);
  });

  it('are published before anything else the handler sends, and later commits still wait for the answer', async () => {
    const { relay, calls } = fakeRelay();
    await inScope(async () => {
      gatherRiders('m1');
      rideWithAnswer(['m1'], { relay, messages: [committed('early')] });
      await releaseRiders();
      expect(calls).toEqual(['early with 0']);
      rideWithAnswer(['m1'], { relay, messages: [committed('late')] });
      await sendWithRiders(answer, async () => void calls.push('alone'));
    });
    expect(calls).toEqual(['early with 0', 'late with 1']);
  });
});
