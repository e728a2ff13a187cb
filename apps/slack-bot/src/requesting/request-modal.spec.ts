import type { FlowSummary } from '@gatehouse/contracts';
import { readRequestModal, requestModal } from './request-modal';

const flow = (name: string, targets: number, description = 'Temporary access'): FlowSummary => ({
  name,
  description,
  targets: Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, label: `Target ${i}` })),
  durationsSeconds: [3600, 1800],
  reason: { required: true, hint: 'start with the ticket' },
  approvalsRequired: 1,
  selfApproval: false,
});

type Block = { block_id: string; element: { options?: { text: { text: string }; value: string }[] } };

describe('the request modal', () => {
  it('offers every flow target and duration, shortest first', () => {
    const view = requestModal([flow('prod-db', 2), flow('aws', 1)]) as { blocks: Block[] };
    expect(view.blocks.find((b) => b.block_id === 'target')?.element.options?.map((o) => o.value)).toEqual(['prod-db/t0', 'prod-db/t1', 'aws/t0']);
    expect(view.blocks.find((b) => b.block_id === 'durationSeconds')?.element.options?.map((o) => o.text.text)).toEqual(['30m', '1h']);
  });

  it("stays within Slack's limits: 100 options, 75-character option texts", () => {
    const view = requestModal([flow('x'.repeat(90), 150, 'd'.repeat(500))]) as { blocks: Block[] };
    const options = view.blocks.find((b) => b.block_id === 'target')?.element.options ?? [];
    expect(options).toHaveLength(100);
    expect(options[0].text.text).toHaveLength(75);
    expect(options[0].text.text.endsWith('…')).toBe(true);
  });

  it('reads back what was chosen, or says what is missing', () => {
    const chosen = { target: { value: { selected_option: { value: 'prod-db/t1' } } }, durationSeconds: { value: { selected_option: { value: '3600' } } }, reason: { value: { value: ' INC-1 ' } } };
    expect(readRequestModal(chosen)).toEqual({ flow: 'prod-db', target: 't1', durationSeconds: 3600, reason: 'INC-1' });
    expect(readRequestModal({})).toEqual({ errors: { target: 'Choose what you need access to', durationSeconds: 'Choose for how long' } });
  });
});
