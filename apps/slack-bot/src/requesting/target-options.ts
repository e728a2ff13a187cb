import type { FlowSummary } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { BLOCK_LIMITS } from './block-limits';
import { plain } from './block-text';

type Target = FlowSummary['targets'][number];

export interface SelectOption {
  text: { type: 'plain_text'; text: string };
  value: string;
  description?: { type: 'plain_text'; text: string };
}

/** A flow in the flow select: its name, and what it is for underneath. */
export function flowOption(flow: FlowSummary): SelectOption {
  return {
    text: plain(flow.name, BLOCK_LIMITS.optionTextChars),
    value: flow.name,
    ...(flow.description ? { description: plain(flow.description, BLOCK_LIMITS.optionTextChars) } : {}),
  };
}

/** A target of the chosen flow: the flow is in the view's metadata, so the value is the id alone. */
export function targetOption(target: Target): SelectOption {
  return {
    text: plain(target.label, BLOCK_LIMITS.optionTextChars),
    value: target.id,
    ...(target.maxDurationSeconds ? { description: plain(`up to ${formatDuration(target.maxDurationSeconds)}`, BLOCK_LIMITS.optionTextChars) } : {}),
  };
}

/**
 * Type-ahead: the flow's targets whose label or id holds what was typed (any case), those
 * starting with it first, in the flow's order otherwise; at most Slack's 100 options.
 */
export function matchingTargets(flow: FlowSummary, typed: string): SelectOption[] {
  const query = typed.trim().toLowerCase();
  const starts: Target[] = [];
  const contains: Target[] = [];
  for (const target of flow.targets) {
    const label = target.label.toLowerCase();
    const id = target.id.toLowerCase();
    if (label.startsWith(query) || id.startsWith(query)) starts.push(target);
    else if (label.includes(query) || id.includes(query)) contains.push(target);
  }
  return [...starts, ...contains].slice(0, BLOCK_LIMITS.options).map(targetOption);
}
