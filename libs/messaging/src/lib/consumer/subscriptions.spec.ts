import { TOPICS } from '@gatehouse/contracts';
import { subscriptionsFor, UnknownHandlerPatternError } from './subscriptions';

describe('subscriptionsFor', () => {
  it("subscribes to each handler type's topic, once", () => {
    expect(subscriptionsFor('approval', ['access.decision.submit', 'access.request.create', 'provisioning.granted']).topics).toEqual(
      [TOPICS.approvalCommands, TOPICS.provisioningEvents].sort(),
    );
  });

  it('subscribes to nothing without handlers', () => {
    expect(subscriptionsFor('gateway', []).topics).toEqual([]);
  });

  it('refuses a pattern that is no message type, naming it and what to do', () => {
    expect(() => subscriptionsFor('approval', ['access.requested', 'access.teleported'])).toThrow(UnknownHandlerPatternError);
    expect(() => subscriptionsFor('approval', ['access.teleported'])).toThrow(
      'approval cannot start: it has handlers for "access.teleported", which is not a message type of @gatehouse/contracts, so no topic would bring them anything: add the type to MESSAGES',
    );
  });
});
