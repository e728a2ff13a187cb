import type { FlowSummary } from '@gatehouse/contracts';
import { matchingTargets, targetOption } from './target-options';

const flowWith = (targets: FlowSummary['targets']): FlowSummary => ({
  name: 'big',
  description: '',
  targets,
  durationsSeconds: [3600],
  reason: { required: false },
  approvalsRequired: 1,
  selfApproval: false,
});

const many = flowWith(Array.from({ length: 150 }, (_, i) => ({ id: `db-${i}`, label: `Database ${i}` })));

describe('type-ahead for targets', () => {
  it('matches label or id, any case, those starting with the text first', () => {
    const flow = flowWith([
      { id: 'eu-reports', label: 'Reports (EU)' },
      { id: 'payments', label: 'Payments primary' },
      { id: 'prim-cache', label: 'Cache' },
      { id: 'other', label: 'Something else' },
    ]);
    expect(matchingTargets(flow, 'PRIM').map((o) => o.value)).toEqual(['prim-cache', 'payments']);
    expect(matchingTargets(flow, ' eu ').map((o) => o.value)).toEqual(['eu-reports']);
    expect(matchingTargets(flow, 'zzz')).toEqual([]);
  });

  it('answers at most 100 options', () => {
    expect(matchingTargets(many, 'data')).toHaveLength(100);
    expect(matchingTargets(many, '')).toHaveLength(100);
    // "Database 1", "Database 10"–"19" and "Database 100"–"149" start with it.
    expect(matchingTargets(many, 'database 1')).toHaveLength(61);
    expect(matchingTargets(many, 'db-14')[0]).toEqual({ text: { type: 'plain_text', text: 'Database 14' }, value: 'db-14' });
  });

  it('the option value is the target id; its text fits 75 characters; a time limit is said', () => {
    const option = targetOption({ id: 'rw', label: 'W'.repeat(80), maxDurationSeconds: 7200 });
    expect(option.value).toBe('rw');
    expect(option.text.text).toHaveLength(75);
    expect(option.text.text.endsWith('…')).toBe(true);
    expect(option.description?.text).toBe('up to 2h');
  });
});
