import { binder, type Writes } from '@gatehouse/messaging';
import { queueSlackWork, type SlackWork } from './slack-work';

/** The statement queueSlackWork leaves for the final write, and its values. */
function queued(works: readonly SlackWork[]): { sql: string; values: unknown[] } {
  const { bind, values } = binder();
  let sql = '';
  const writes = { atCommit: (build: (b: typeof bind) => string) => void (sql = build(bind)), publish: async () => undefined } as unknown as Writes;
  queueSlackWork(writes, '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c', works);
  return { sql, values };
}

describe('queueSlackWork', () => {
  const report = (n: number): SlackWork => ({ kind: 'report', channel: 'C0OPS', text: `report ${n}` });

  it('queues any number of pieces under one statement text (grouped statements stay short and can be prepared), in the order given', () => {
    const one = queued([report(0)]);
    const many = queued(Array.from({ length: 22 }, (_, i) => report(i)));
    expect(many.sql).toBe(one.sql);
    expect(many.values).toEqual([Array(22).fill('report'), Array.from({ length: 22 }, (_, i) => JSON.stringify({ channel: 'C0OPS', text: `report ${i}` })), '6f1c2a4e-9b7d-4c1e-8a2f-3d5e6f7a8b9c']);
    expect(many.sql).toMatch(/WITH ORDINALITY[\s\S]*ORDER BY w\.n/);
    // An App Home refresh among them (queued only for someone who opened their Home): the same text.
    expect(queued([report(0), { kind: 'home', to: 'ada@example.com' }]).sql).toBe(one.sql);
  });
});
