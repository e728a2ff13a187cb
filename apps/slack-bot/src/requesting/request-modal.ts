import type { FlowSummary } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { BLOCK_LIMITS } from './block-limits';
import { fit, plain } from './block-text';

export const REQUEST_MODAL = 'gatehouse_request';
/** Block ids double as the fields approval names in its problems, so errors land on the right input. */
export const BLOCKS = { target: 'target', durationSeconds: 'durationSeconds', reason: 'reason' } as const;

/** What the modal's option value for a target holds. */
export function targetValue(flow: string, target: string): string {
  return `${flow}/${target}`;
}

export function parseTargetValue(value: string): { flow: string; target: string } | undefined {
  const [flow, target, ...rest] = value.split('/');
  return flow && target && rest.length === 0 ? { flow, target } : undefined;
}

/**
 * "Request access": what (a flow's target), for how long, and why. Options stay within
 * Slack's 100 per list; the flows' own rules are checked by approval on submit and shown in
 * the modal.
 */
export function requestModal(flows: FlowSummary[]): Record<string, unknown> {
  const targets = flows.flatMap((flow) =>
    flow.targets.map((target) => ({
      text: plain(`${flow.name}: ${target.label}`, BLOCK_LIMITS.optionTextChars),
      value: targetValue(flow.name, target.id),
      ...(flow.description ? { description: plain(flow.description, BLOCK_LIMITS.optionTextChars) } : {}),
    })),
  );
  const durations = [...new Set(flows.flatMap((f) => f.durationsSeconds))].sort((a, b) => a - b);
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: plain('Request access', BLOCK_LIMITS.modalTitleChars),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: BLOCKS.target,
        label: plain('Access to'),
        element: { type: 'static_select', action_id: 'value', placeholder: plain('Choose what you need'), options: targets.slice(0, BLOCK_LIMITS.options) },
      },
      {
        type: 'input',
        block_id: BLOCKS.durationSeconds,
        label: plain('For how long'),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: durations.slice(0, BLOCK_LIMITS.options).map((seconds) => ({ text: plain(formatDuration(seconds)), value: String(seconds) })),
        },
      },
      {
        type: 'input',
        block_id: BLOCKS.reason,
        optional: true,
        label: plain('Why'),
        hint: plain(fit(flows.map((f) => f.reason.hint).filter(Boolean).join('; ') || 'A ticket or a sentence for your approvers', 2000)),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 },
      },
    ],
  };
}

type ViewState = Record<string, Record<string, { selected_option?: { value?: string } | null; value?: string | null }>>;

/** What the person chose, read back from the submitted view's state. */
export function readRequestModal(state: ViewState): { flow: string; target: string; durationSeconds: number; reason: string } | { errors: Record<string, string> } {
  const picked = parseTargetValue(state[BLOCKS.target]?.['value']?.selected_option?.value ?? '');
  const duration = Number(state[BLOCKS.durationSeconds]?.['value']?.selected_option?.value);
  const errors: Record<string, string> = {};
  if (!picked) errors[BLOCKS.target] = 'Choose what you need access to';
  if (!Number.isInteger(duration) || duration <= 0) errors[BLOCKS.durationSeconds] = 'Choose for how long';
  if (!picked || Object.keys(errors).length > 0) return { errors };
  return { ...picked, durationSeconds: duration, reason: state[BLOCKS.reason]?.['value']?.value?.trim() ?? '' };
}
