import type { FlowSummary } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { BLOCK_LIMITS } from './block-limits';
import { fit, mrkdwn, plain } from './block-text';
import { readMetadata, writeMetadata } from './modal-metadata';
import { flowOption, targetOption, type SelectOption } from './target-options';

export const REQUEST_MODAL = 'gatehouse_request';
/** Block ids double as the fields approval names in its problems, so errors land on the right input. */
export const BLOCKS = { flow: 'flow', target: 'target', durationSeconds: 'durationSeconds', reason: 'reason' } as const;
/** The flow select's action: choosing a flow is delivered at once (`dispatch_action`) to show its choices. */
export const CHOOSE_FLOW = 'gatehouse_request_flow';
/** Characters typed before Slack asks for matching targets of a flow too big for one list. */
export const TYPE_AHEAD_MIN_CHARS = 2;
const REASON_ACTION = 'value';

/**
 * Slack keeps what was entered in an input across `views.update` only when its block id and
 * action id both stay the same. The target and duration selects get an action id per flow, so a
 * choice made for another flow is dropped; the reason's never changes, so the text is kept.
 */
export function targetAction(flow: string): string {
  return `target:${flow}`;
}

export function durationAction(flow: string): string {
  return `duration:${flow}`;
}

/** What modals opened before the flow step held in their one target select: "flow/target". */
export function parseTargetValue(value: string): { flow: string; target: string } | undefined {
  const [flow, target, ...rest] = value.split('/');
  return flow && target && rest.length === 0 ? { flow, target } : undefined;
}

/**
 * "Request access": the flow first, then what of it, for how long (the flow's own durations)
 * and why (with the flow's hint). With several flows and none chosen, only the flow select and
 * the reason show; choosing a flow is answered with `views.update` showing the rest. A single
 * flow, or one already chosen (`/access <flow>`, the update), shows its choices at once. A flow
 * with more targets than one Slack list holds gets type-ahead (`external_select`).
 */
export function requestModal(flows: FlowSummary[], chosen?: string, chosenTarget?: string): Record<string, unknown> {
  if (flows.length === 0) return noticeModal('There is nothing you may ask for in Gatehouse yet. Your Gatehouse admin decides who may ask for what.');
  const flow = flows.find((f) => f.name === chosen) ?? (flows.length === 1 ? flows[0] : undefined);
  const blocks: Record<string, unknown>[] = [];
  if (flows.length > 1) blocks.push(flowBlock(flows, flow));
  if (flow) {
    const about = flows.length > 1 ? flow.description : [`*${flow.name}*`, flow.description].filter(Boolean).join(': ');
    if (about) blocks.push({ type: 'context', elements: [mrkdwn(about)] });
    blocks.push(targetBlock(flow, chosenTarget), durationBlock(flow));
  } else {
    blocks.push({ type: 'context', elements: [mrkdwn('Choose a flow to see what it gives access to and for how long.')] });
  }
  blocks.push(reasonBlock(flow));
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    private_metadata: writeMetadata({ flow: flow?.name }),
    title: plain('Request access', BLOCK_LIMITS.modalTitleChars),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks,
  };
}

/** The modal with only a message in it: nothing to ask for, or why the form cannot be shown. */
export function noticeModal(text: string): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: plain('Request access', BLOCK_LIMITS.modalTitleChars),
    close: plain('Close'),
    blocks: [{ type: 'section', text: mrkdwn(text) }],
  };
}

function flowBlock(flows: FlowSummary[], chosen: FlowSummary | undefined): Record<string, unknown> {
  const listed = flows.slice(0, BLOCK_LIMITS.options);
  return {
    type: 'input',
    block_id: BLOCKS.flow,
    dispatch_action: true,
    label: plain('Flow'),
    element: {
      type: 'static_select',
      action_id: CHOOSE_FLOW,
      placeholder: plain('Choose a flow'),
      options: listed.map(flowOption),
      // Slack refuses an initial option that is not one of the options.
      ...(chosen && listed.includes(chosen) ? { initial_option: flowOption(chosen) } : {}),
    },
  };
}

function targetBlock(flow: FlowSummary, chosen?: string): Record<string, unknown> {
  const fitsOneList = flow.targets.length <= BLOCK_LIMITS.options;
  const target = flow.targets.find((t) => t.id === chosen);
  // Chosen already (found with "Find access"): shown selected, in either kind of select.
  const initial = target ? { initial_option: targetOption(target) } : {};
  return {
    type: 'input',
    block_id: BLOCKS.target,
    label: plain('Access to'),
    element: fitsOneList
      ? { type: 'static_select', action_id: targetAction(flow.name), placeholder: plain('Choose what you need'), options: flow.targets.map(targetOption), ...initial }
      : {
          type: 'external_select',
          action_id: targetAction(flow.name),
          placeholder: plain(`Type to search ${flow.targets.length} targets`),
          min_query_length: TYPE_AHEAD_MIN_CHARS,
          ...initial,
        },
  };
}

function durationBlock(flow: FlowSummary): Record<string, unknown> {
  const options: SelectOption[] = [...new Set(flow.durationsSeconds)]
    .sort((a, b) => a - b)
    .slice(0, BLOCK_LIMITS.options)
    .map((seconds) => ({ text: plain(formatDuration(seconds)), value: String(seconds) }));
  return {
    type: 'input',
    block_id: BLOCKS.durationSeconds,
    label: plain('For how long'),
    element: {
      type: 'static_select',
      action_id: durationAction(flow.name),
      placeholder: plain('Choose for how long'),
      options,
      // Nothing to choose between: chosen already.
      ...(options.length === 1 ? { initial_option: options[0] } : {}),
    },
  };
}

function reasonBlock(flow: FlowSummary | undefined): Record<string, unknown> {
  const hint = flow?.reason.hint || (flow && !flow.reason.required ? 'Optional: a sentence for your approvers' : 'A ticket or a sentence for your approvers');
  return {
    type: 'input',
    block_id: BLOCKS.reason,
    // Until a flow is chosen its rule is unknown: the flow's error is the one to show first.
    optional: !flow?.reason.required,
    label: plain('Why'),
    hint: plain(fit(hint, 2000)),
    element: { type: 'plain_text_input', action_id: REASON_ACTION, multiline: true, max_length: 2000 },
  };
}

type Entry = { selected_option?: { value?: string } | null; value?: string | null };
type ViewState = Record<string, Record<string, Entry>>;

/** The value of an input block's one element, whatever its (per-flow) action id. */
function entryOf(state: ViewState, block: string): Entry | undefined {
  return Object.values(state[block] ?? {})[0];
}

export type RequestInput = { flow: string; target: string; durationSeconds: number; reason: string };

/**
 * What the person chose, read back from the submitted view's state and private metadata (the
 * flow). Errors are keyed by the block they belong to, and only blocks the view has.
 */
export function readRequestModal(state: ViewState, privateMetadata?: string | null): RequestInput | { errors: Record<string, string> } {
  const chosenFlow = readMetadata(privateMetadata).flow;
  const selectedFlow = entryOf(state, BLOCKS.flow)?.selected_option?.value ?? undefined;
  const targetValue = entryOf(state, BLOCKS.target)?.selected_option?.value ?? '';
  let picked: { flow: string; target: string } | undefined;
  const errors: Record<string, string> = {};
  if (chosenFlow) {
    // Submitted between choosing another flow and Slack showing its choices.
    if (selectedFlow && selectedFlow !== chosenFlow) errors[BLOCKS.flow] = `The choices shown are still those of ${chosenFlow}; wait for those of ${selectedFlow}, then submit`;
    if (targetValue) picked = { flow: chosenFlow, target: targetValue };
    else errors[BLOCKS.target] = 'Choose what you need access to';
  } else if (BLOCKS.flow in state || !(BLOCKS.target in state)) {
    return { errors: { [BLOCKS.flow]: selectedFlow ? "Wait a moment for this flow's choices to show, then submit" : 'Choose a flow first' } };
  } else {
    // A modal opened before the flow step: "flow/target" in its one select.
    picked = parseTargetValue(targetValue);
    if (!picked) errors[BLOCKS.target] = 'Choose what you need access to';
  }
  const duration = Number(entryOf(state, BLOCKS.durationSeconds)?.selected_option?.value);
  if (!Number.isInteger(duration) || duration <= 0) errors[BLOCKS.durationSeconds] = 'Choose for how long';
  if (!picked || Object.keys(errors).length > 0) return { errors };
  return { ...picked, durationSeconds: duration, reason: entryOf(state, BLOCKS.reason)?.value?.trim() ?? '' };
}
