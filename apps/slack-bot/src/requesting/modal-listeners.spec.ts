import type { App } from '@slack/bolt';
import type { FlowSummary } from '@gatehouse/contracts';
import type { Logger } from '@gatehouse/observability';
import { registerFlowChoice } from './choose-flow';
import { writeMetadata } from './modal-metadata';
import type { Offered, OfferedFlows } from './offered-flows';
import { BLOCKS, CHOOSE_FLOW, targetAction } from './request-modal';
import { registerTargetSuggestions } from './target-suggestions';

type Listener = (args: Record<string, unknown>) => Promise<void>;

/** Just enough of Bolt's App to capture the listeners these modules register. */
function fakeApp(): { app: App; actions: Map<string, Listener>; options: { constraints: unknown; listener: Listener }[] } {
  const actions = new Map<string, Listener>();
  const options: { constraints: unknown; listener: Listener }[] = [];
  const app = {
    action: (id: string, listener: Listener) => actions.set(id, listener),
    options: (constraints: unknown, listener: Listener) => options.push({ constraints, listener }),
  };
  return { app: app as unknown as App, actions, options };
}

const flow = (name: string, targets: number): FlowSummary => ({
  name,
  description: '',
  targets: Array.from({ length: targets }, (_, i) => ({ id: `${name}-${i}`, label: `${name} target ${i}` })),
  durationsSeconds: [3600],
  reason: { required: false },
  approvalsRequired: 1,
  selfApproval: false,
});

const FLOWS = [flow('small', 2), flow('big', 150)];
const offeredOf = (answer: Offered) => ({ reused: jest.fn(async () => answer), fresh: jest.fn(async () => answer) }) as unknown as OfferedFlows;
const logger = { info: jest.fn(), warn: jest.fn() } as unknown as Logger;
const user = { id: 'U0ADA' };

describe('choosing a flow in the request modal', () => {
  it("acknowledges, then updates that view (id and hash) to show the flow's choices", async () => {
    const { app, actions } = fakeApp();
    registerFlowChoice(app, offeredOf({ ok: true, flows: FLOWS }), logger);
    const calls: string[] = [];
    const update = jest.fn(async () => void calls.push('update'));
    await actions.get(CHOOSE_FLOW)?.({
      ack: async () => void calls.push('ack'),
      body: { type: 'block_actions', user, view: { id: 'V1', hash: '123.abc', private_metadata: '' } },
      action: { type: 'static_select', action_id: CHOOSE_FLOW, block_id: BLOCKS.flow, selected_option: { value: 'big' } },
      client: { views: { update } },
      context: {},
    });
    expect(calls).toEqual(['ack', 'update']);
    const { view_id, hash, view } = (update.mock.calls[0] as unknown as [{ view_id: string; hash: string; view: { private_metadata: string; blocks: { block_id?: string; element?: { type: string; action_id: string } }[] } }])[0];
    expect({ view_id, hash }).toEqual({ view_id: 'V1', hash: '123.abc' });
    expect(view.private_metadata).toBe(writeMetadata({ flow: 'big' }));
    expect(view.blocks.find((b) => b.block_id === BLOCKS.target)?.element).toMatchObject({ type: 'external_select', action_id: targetAction('big') });
  });

  it('logs a refused stale update (hash_conflict) quietly, as expected', async () => {
    const { app, actions } = fakeApp();
    const quiet = { info: jest.fn(), warn: jest.fn() } as unknown as Logger & { info: jest.Mock; warn: jest.Mock };
    registerFlowChoice(app, offeredOf({ ok: true, flows: FLOWS }), quiet);
    const conflict = Object.assign(new Error('An API error occurred: hash_conflict'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'hash_conflict' } });
    await actions.get(CHOOSE_FLOW)?.({
      ack: async () => undefined,
      body: { type: 'block_actions', user, view: { id: 'V1', hash: 'old', private_metadata: '' } },
      action: { selected_option: { value: 'small' } },
      client: { views: { update: async () => Promise.reject(conflict) } },
      context: {},
    });
    expect(quiet.info).toHaveBeenCalledWith({ viewId: 'V1' }, expect.stringContaining('the later update stands'));
    expect(quiet.warn).not.toHaveBeenCalled();
  });

  it('shows why in the modal when the flows cannot be had', async () => {
    const { app, actions } = fakeApp();
    registerFlowChoice(app, offeredOf({ ok: false, message: 'Gatehouse cannot tell who you are' }), logger);
    const update = jest.fn(async () => undefined);
    await actions.get(CHOOSE_FLOW)?.({ ack: async () => undefined, body: { user, view: { id: 'V1', hash: 'h' } }, action: { selected_option: { value: 'small' } }, client: { views: { update } }, context: {} });
    expect(JSON.stringify(update.mock.calls[0])).toContain('Gatehouse cannot tell who you are');
  });
});

describe('type-ahead for a flow with many targets', () => {
  const suggest = async (answer: Offered, privateMetadata: string, value: string) => {
    const { app, options } = fakeApp();
    registerTargetSuggestions(app, offeredOf(answer), logger);
    expect(options.map((o) => o.constraints)).toEqual([{ type: 'block_suggestion', block_id: BLOCKS.target }]);
    let acked: unknown;
    await options[0].listener({
      ack: async (body: unknown) => void (acked = body),
      body: { type: 'block_suggestion', user, block_id: BLOCKS.target, action_id: targetAction('big'), value, view: { id: 'V1', private_metadata: privateMetadata } },
      client: {},
      context: {},
    });
    return acked as { options: { value: string }[] };
  };

  it("answers the metadata flow's matching targets in the acknowledgement, at most 100", async () => {
    const all = await suggest({ ok: true, flows: FLOWS }, writeMetadata({ flow: 'big' }), 'big target');
    expect(all.options).toHaveLength(100);
    const some = await suggest({ ok: true, flows: FLOWS }, writeMetadata({ flow: 'big' }), 'target 14');
    expect(some.options.map((o) => o.value)).toEqual(['big-14', ...Array.from({ length: 10 }, (_, i) => `big-14${i}`)]);
  });

  it('answers no options for no flow, a flow not offered, or flows that cannot be had', async () => {
    expect(await suggest({ ok: true, flows: FLOWS }, '', 'big')).toEqual({ options: [] });
    expect(await suggest({ ok: true, flows: FLOWS }, writeMetadata({ flow: 'secret' }), 'big')).toEqual({ options: [] });
    expect(await suggest({ ok: false, message: 'no' }, writeMetadata({ flow: 'big' }), 'big')).toEqual({ options: [] });
  });
});
