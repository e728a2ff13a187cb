import type { RowsInsert, Writes } from '@gatehouse/messaging';
import { queueSlackWork, SLACK_WORK, type SlackWork } from './slack-work';

/** The rows queueSlackWork queues, and for which insert. */
function queued(works: readonly SlackWork[]): { insert: RowsInsert<object>; rows: readonly object[] }[] {
  const calls: { insert: RowsInsert<object>; rows: readonly object[] }[] = [];
  const writes = { insertRows: (insert: RowsInsert<object>, rows: readonly object[]) => void calls.push({ insert, rows }) } as unknown as Writes;
  queueSlackWork(writes, '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c', works);
  return calls;
}

describe('queueSlackWork', () => {
  const report = (n: number): SlackWork => ({ kind: 'report', channel: 'C0OPS', text: `report ${n}` });

  it("queues the works as rows of one INSERT, in the order given, each with its request and its payload apart from its kind", () => {
    const works = [report(0), { kind: 'home', to: 'ada@example.com' } as const, report(1)];
    expect(queued(works)).toEqual([
      {
        insert: SLACK_WORK,
        rows: [
          { request_id: '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c', kind: 'report', payload: { channel: 'C0OPS', text: 'report 0' } },
          { request_id: '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c', kind: 'home', payload: { to: 'ada@example.com' } },
          { request_id: '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c', kind: 'report', payload: { channel: 'C0OPS', text: 'report 1' } },
        ],
      },
    ]);
    // In the order given, and an App Home refresh only for someone who has opened their Home.
    expect(SLACK_WORK.sql('given')).toMatch(/ORDER BY given\.ordinality/);
    expect(SLACK_WORK.sql('given')).toMatch(/home_viewers/);
  });
});
