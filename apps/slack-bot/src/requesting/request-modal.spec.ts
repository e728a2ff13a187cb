import type { FlowSummary } from '@gatehouse/contracts';
import { readMetadata, writeMetadata } from './modal-metadata';
import { BLOCKS, CHOOSE_FLOW, durationAction, readRequestModal, requestModal, targetAction, TYPE_AHEAD_MIN_CHARS } from './request-modal';

const flow = (name: string, targets: number, extra: Partial<FlowSummary> = {}): FlowSummary => ({
  name,
  description: 'Temporary access',
  targets: Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, label: `Target ${i}` })),
  durationsSeconds: [3600, 1800],
  reason: { required: true, hint: 'start with the ticket' },
  approvalsRequired: 1,
  selfApproval: false,
  ...extra,
});

type Option = { text: { text: string }; value: string; description?: { text: string } };
type Element = { type: string; action_id: string; options?: Option[]; initial_option?: Option; min_query_length?: number };
type Block = { type: string; block_id?: string; dispatch_action?: boolean; optional?: boolean; hint?: { text: string }; element?: Element };
type View = { callback_id: string; private_metadata: string; submit?: unknown; blocks: Block[] };

const modal = (flows: FlowSummary[], chosen?: string) => requestModal(flows, chosen) as unknown as View;
const block = (view: View, id: string) => view.blocks.find((b) => b.block_id === id);

describe('the request modal', () => {
  it('with several flows and none chosen, asks for the flow first (dispatching at once) and keeps the reason box', () => {
    const view = modal([flow('prod-db', 2), flow('aws', 1)]);
    expect(view.callback_id).toBe('gatehouse_request');
    expect(view.private_metadata).toBe('');
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual([BLOCKS.flow, BLOCKS.reason]);
    const flowSelect = block(view, BLOCKS.flow);
    expect(flowSelect).toMatchObject({ dispatch_action: true, element: { type: 'static_select', action_id: CHOOSE_FLOW } });
    expect(flowSelect?.element?.options?.map((o) => o.value)).toEqual(['prod-db', 'aws']);
    expect(flowSelect?.element?.initial_option).toBeUndefined();
    // The flow's error is the first one shown, not "reason required".
    expect(block(view, BLOCKS.reason)?.optional).toBe(true);
  });

  it("with a flow chosen, shows that flow's targets, its own durations shortest first, and its reason hint", () => {
    const view = modal([flow('prod-db', 2), flow('aws', 1, { durationsSeconds: [7200], reason: { required: false } })], 'aws');
    expect(readMetadata(view.private_metadata)).toEqual({ flow: 'aws' });
    expect(block(view, BLOCKS.flow)?.element?.initial_option?.value).toBe('aws');
    const target = block(view, BLOCKS.target)?.element;
    expect(target).toMatchObject({ type: 'static_select', action_id: targetAction('aws') });
    expect(target?.options?.map((o) => o.value)).toEqual(['t0']);
    const duration = block(view, BLOCKS.durationSeconds)?.element;
    expect(duration?.action_id).toBe(durationAction('aws'));
    expect(duration?.options?.map((o) => o.text.text)).toEqual(['2h']);
    // One duration only: already chosen.
    expect(duration?.initial_option?.value).toBe('7200');
    expect(block(view, BLOCKS.reason)).toMatchObject({ optional: true, hint: { text: 'Optional: a sentence for your approvers' } });

    const other = modal([flow('prod-db', 2), flow('aws', 1)], 'prod-db');
    expect(block(other, BLOCKS.target)?.element?.options?.map((o) => o.value)).toEqual(['t0', 't1']);
    expect(block(other, BLOCKS.durationSeconds)?.element?.options?.map((o) => o.text.text)).toEqual(['30m', '1h']);
    expect(block(other, BLOCKS.durationSeconds)?.element?.initial_option).toBeUndefined();
    expect(block(other, BLOCKS.reason)).toMatchObject({ optional: false, hint: { text: 'start with the ticket' } });
    // Same block and action id whatever the flow: Slack keeps the typed reason across the update.
    expect(block(other, BLOCKS.reason)?.element?.action_id).toBe(block(view, BLOCKS.reason)?.element?.action_id);
  });

  it('with a single flow, skips the flow step and shows its targets at once', () => {
    const view = modal([flow('staging', 1, { description: 'No approval needed.' })]);
    expect(block(view, BLOCKS.flow)).toBeUndefined();
    expect(readMetadata(view.private_metadata)).toEqual({ flow: 'staging' });
    expect(block(view, BLOCKS.target)?.element?.options?.map((o) => o.value)).toEqual(['t0']);
    expect(JSON.stringify(view.blocks)).toContain('*staging*: No approval needed.');
  });

  it('ignores a chosen flow that is not offered', () => {
    const view = modal([flow('prod-db', 2), flow('aws', 1)], 'nope');
    expect(view.private_metadata).toBe('');
    expect(block(view, BLOCKS.target)).toBeUndefined();
  });

  it('gives a flow with more targets than one Slack list holds type-ahead (external_select)', () => {
    const view = modal([flow('big', 150), flow('aws', 1)], 'big');
    const target = block(view, BLOCKS.target)?.element;
    expect(target).toEqual(expect.objectContaining({ type: 'external_select', action_id: targetAction('big'), min_query_length: TYPE_AHEAD_MIN_CHARS }));
    expect(target?.options).toBeUndefined();
    // A flow of exactly 100 still fits one list.
    expect(block(modal([flow('hundred', 100)]), BLOCKS.target)?.element?.type).toBe('static_select');
  });

  it("stays within Slack's limits: 100 options, 75-character option texts", () => {
    const flows = Array.from({ length: 120 }, (_, i) => flow(`flow-${i}`, 1, { description: 'd'.repeat(500) }));
    const view = modal(flows);
    const options = block(view, BLOCKS.flow)?.element?.options ?? [];
    expect(options).toHaveLength(100);
    expect(options[0].description?.text).toHaveLength(75);
    expect(options[0].description?.text.endsWith('…')).toBe(true);
    // A flow beyond the list can still be chosen (`/access <flow>`), with no initial option Slack would refuse.
    const beyond = modal(flows, 'flow-110');
    expect(readMetadata(beyond.private_metadata)).toEqual({ flow: 'flow-110' });
    expect(block(beyond, BLOCKS.flow)?.element?.initial_option).toBeUndefined();
    expect(block(modal(flows, 'flow-99'), BLOCKS.flow)?.element?.initial_option?.value).toBe('flow-99');

    const long = flow('long', 2, { targets: [{ id: 'x', label: 'L'.repeat(90) }] });
    const text = block(modal([long]), BLOCKS.target)?.element?.options?.[0].text.text ?? '';
    expect(text).toHaveLength(75);
    expect(text.endsWith('…')).toBe(true);
  });

  it('says so when nothing may be asked for, with no submit button', () => {
    const view = modal([]);
    expect(view.submit).toBeUndefined();
    expect(JSON.stringify(view.blocks)).toContain('nothing you may ask for');
  });
});

describe('the private metadata', () => {
  it('round-trips the chosen flow, and reads anything else as no flow', () => {
    expect(readMetadata(writeMetadata({ flow: 'production-database' }))).toEqual({ flow: 'production-database' });
    expect(writeMetadata({})).toBe('');
    for (const raw of ['', undefined, null, 'not json', '[]', '{"flow":3}', '{"flow":""}']) expect(readMetadata(raw)).toEqual({});
  });
});

describe('reading the submitted modal', () => {
  const select = (action: string, value: string) => ({ [action]: { type: 'static_select', selected_option: { value } } });
  const reason = (text: string | null) => ({ [BLOCKS.reason]: { value: { type: 'plain_text_input', value: text } } });
  const metadata = writeMetadata({ flow: 'prod-db' });

  it('reads the flow from the metadata and the target id from its per-flow select', () => {
    const state = {
      [BLOCKS.flow]: select(CHOOSE_FLOW, 'prod-db'),
      [BLOCKS.target]: select(targetAction('prod-db'), 't1'),
      [BLOCKS.durationSeconds]: select(durationAction('prod-db'), '3600'),
      ...reason(' INC-1 '),
    };
    expect(readRequestModal(state, metadata)).toEqual({ flow: 'prod-db', target: 't1', durationSeconds: 3600, reason: 'INC-1' });
    // A single flow's modal has no flow select.
    const { [BLOCKS.flow]: _flow, ...single } = state;
    expect(readRequestModal(single, metadata)).toEqual({ flow: 'prod-db', target: 't1', durationSeconds: 3600, reason: 'INC-1' });
  });

  it('says a flow must be chosen first, in the modal, when none is', () => {
    expect(readRequestModal({ [BLOCKS.flow]: { [CHOOSE_FLOW]: { selected_option: null } }, ...reason(null) }, '')).toEqual({ errors: { flow: 'Choose a flow first' } });
    expect(readRequestModal({}, '')).toEqual({ errors: { flow: 'Choose a flow first' } });
    // Chosen, but Slack has not shown its choices yet.
    expect(readRequestModal({ [BLOCKS.flow]: select(CHOOSE_FLOW, 'aws') }, '')).toEqual({ errors: { flow: "Wait a moment for this flow's choices to show, then submit" } });
  });

  it('refuses choices shown for one flow while another is selected', () => {
    const state = { [BLOCKS.flow]: select(CHOOSE_FLOW, 'aws'), [BLOCKS.target]: select(targetAction('prod-db'), 't1'), [BLOCKS.durationSeconds]: select(durationAction('prod-db'), '3600') };
    expect(readRequestModal(state, metadata)).toEqual({ errors: { flow: 'The choices shown are still those of prod-db; wait for those of aws, then submit' } });
  });

  it('says what is missing, on the block it is missing from', () => {
    expect(readRequestModal({ [BLOCKS.flow]: select(CHOOSE_FLOW, 'prod-db'), [BLOCKS.target]: {}, [BLOCKS.durationSeconds]: {} }, metadata)).toEqual({
      errors: { target: 'Choose what you need access to', durationSeconds: 'Choose for how long' },
    });
  });

  it('still reads a modal opened before the flow step ("flow/target" in one select)', () => {
    const state = { [BLOCKS.target]: select('value', 'prod-db/t1'), [BLOCKS.durationSeconds]: select('value', '1800'), ...reason('INC-2') };
    expect(readRequestModal(state, '')).toEqual({ flow: 'prod-db', target: 't1', durationSeconds: 1800, reason: 'INC-2' });
    expect(readRequestModal({ [BLOCKS.target]: {} }, '')).toEqual({ errors: { target: 'Choose what you need access to', durationSeconds: 'Choose for how long' } });
  });
});
