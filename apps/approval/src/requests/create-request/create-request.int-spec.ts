import { outgoing } from '@gatehouse/messaging';
import { waitFor } from '@gatehouse/testing';
import { ApprovalFixture } from '../../test/approval-fixture';

describe('approval: access.request.create on the real broker and database', () => {
  let fx: ApprovalFixture;

  beforeAll(async () => {
    fx = await ApprovalFixture.start();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('stores a PENDING request, answers with it, and emits access.requested caused by the command', async () => {
    const command = fx.createCommand();
    const reply = await fx.requester.request('access.request.create', command.subject, command.data, { id: command.id });
    expect(reply).toMatchObject({
      outcome: 'created',
      request: { id: command.subject, status: 'PENDING', targetLabel: 'Read-only (replica)', approvals: { count: 0, required: 1 } },
    });
    const [event] = await waitFor(() => (fx.events(command.subject).length ? fx.events(command.subject) : undefined), { what: 'access.requested' });
    expect(event).toMatchObject({
      type: 'access.requested',
      source: 'approval',
      causationId: command.id,
      data: { requestId: command.subject, status: 'PENDING', flow: 'production-database', durationSeconds: 1800 },
    });
    const rows = await fx.db.query('SELECT status, requester_email FROM approval.access_requests WHERE id = $1', [command.subject]);
    expect(rows).toEqual([{ status: 'PENDING', requester_email: 'grace@example.com' }]);
  });

  it('rejects what the flow does not allow, naming each field, and stores nothing', async () => {
    const reply = await fx.create({ flow: 'production-database', target: 'root', durationSeconds: 60 * 60 * 24, reason: 'because' });
    expect(reply.outcome).toBe('rejected');
    if (reply.outcome === 'rejected') {
      expect(reply.problems.map((problem: { field: string }) => problem.field)).toEqual(['target', 'durationSeconds', 'reason']);
      expect(reply.problems[2].message).toBe('the reason must start with the incident or change ticket, e.g. INC-1234');
    }
    const unknown = await fx.create({ flow: 'prod' });
    expect(unknown).toEqual({ outcome: 'rejected', problems: [{ field: 'flow', message: 'unknown flow "prod"; choose one of: production-database, aws-admin, staging, group-approved, break-glass, linked-only' }] });
    const [{ count }] = await fx.db.query(`SELECT count(*)::int AS count FROM approval.access_requests WHERE target = 'root' OR flow = 'prod'`);
    expect(count).toBe(0);
  });

  it('approves at once what a rule approves, and says which rule', async () => {
    const reply = await fx.create({ flow: 'staging', target: 'deploy', durationSeconds: 3600, reason: '' });
    expect(reply).toMatchObject({ outcome: 'created', request: { status: 'GRANTING' } });
    if (reply.outcome !== 'created') return;
    const approved = await waitFor(() => fx.events(reply.request.id, 'access.approved')[0], { what: 'access.approved' });
    expect(approved.data).toMatchObject({ approvers: [], autoApproved: { rule: 'target' }, status: 'APPROVED' });
  });

  it('does nothing more for a redelivered command, or a retried one with the same request id', async () => {
    const cmd = fx.createCommand();
    const retry = fx.createCommand({ requestId: cmd.subject }); // same request id, new message id: a client retrying
    await fx.publisher.publish([outgoing(cmd)]);
    await fx.publisher.publish([outgoing(cmd)]);
    await fx.publisher.publish([outgoing(retry)]);
    await waitFor(
      async () => Number((await fx.db.query('SELECT count(*) FROM approval.inbox WHERE message_id = ANY($1)', [[cmd.id, retry.id]]))[0].count) === 2,
      { what: 'both commands to be handled' },
    );
    // The same command asked again answers what it answered the first time.
    const again = await fx.requester.request('access.request.create', cmd.subject, cmd.data, { id: cmd.id });
    expect(again).toMatchObject({ outcome: 'created', request: { id: cmd.subject, status: 'PENDING' } });
    await waitFor(() => fx.events(cmd.subject).length >= 1, { what: 'the event' });
    expect(fx.events(cmd.subject, 'access.requested')).toHaveLength(1);
    const [{ count }] = await fx.db.query('SELECT count(*)::int AS count FROM approval.access_requests WHERE id = $1', [cmd.subject]);
    expect(count).toBe(1);
  });
});
