import type { RequestView } from '@gatehouse/contracts';
import { createEnvelope } from '@gatehouse/messaging';
import { threadReply } from './keep-in-step.handler';

describe('the reply in an approval message’s thread', () => {
  const cto = { kind: 'person' as const, channel: 'api' as const, person: { email: 'cto@example.com' } };
  const requestId = '3f0c6a5e-8a40-4f57-9a43-5d1c7f0b2a11';
  // Read when the event is handled: by then the second approval is in.
  const now = { approvals: { count: 2, required: 2 } } as RequestView;

  it('counts the approvals as they were at the decision, not as they are when it is handled', () => {
    const recorded = createEnvelope('access.decision.recorded', requestId, { requestId, actor: cto, approvals: 1, required: 2, status: 'PENDING' }, { source: 'approval' });
    expect(threadReply(recorded as never, now)).toEqual({ by: cto.person, text: 'approved — 1 of 2' });
  });
});
