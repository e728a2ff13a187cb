import { formatDuration, type Flow, type FlowTarget } from '@gatehouse/config';

export interface RequestInput {
  target: string;
  durationSeconds: number;
  reason: string;
}

export interface Problem {
  field: 'flow' | 'target' | 'durationSeconds' | 'reason';
  message: string;
}

export type RequestCheck = { ok: true; target: FlowTarget } | { ok: false; problems: Problem[] };

/** Is this request allowed by its flow? Every problem says what would be allowed instead. */
export function checkRequest(flow: Flow, input: RequestInput): RequestCheck {
  const problems: Problem[] = [];
  const target = flow.targets.find((t) => t.id === input.target);
  if (!target) {
    problems.push({
      field: 'target',
      message: `"${input.target}" is not a target of flow "${flow.name}"; choose one of: ${flow.targets.map((t) => t.id).join(', ')}`,
    });
  }
  if (!flow.durations.includes(input.durationSeconds)) {
    problems.push({
      field: 'durationSeconds',
      message: `${formatDuration(input.durationSeconds)} is not offered by flow "${flow.name}"; choose one of: ${flow.durations.map(formatDuration).join(', ')}`,
    });
  } else if (target?.maxDuration !== undefined && input.durationSeconds > target.maxDuration) {
    problems.push({
      field: 'durationSeconds',
      message: `"${target.id}" can be granted for at most ${formatDuration(target.maxDuration)}`,
    });
  }
  const reason = input.reason.trim();
  if (flow.reason.required && reason.length === 0) {
    problems.push({ field: 'reason', message: `flow "${flow.name}" needs a reason` });
  } else if (flow.reason.pattern && reason.length > 0 && !new RegExp(flow.reason.pattern).test(reason)) {
    problems.push({ field: 'reason', message: `the reason must ${flow.reason.patternHint ?? `match ${flow.reason.pattern}`}` });
  }
  return target && problems.length === 0 ? { ok: true, target } : { ok: false, problems };
}

export type AutoApproval = { auto: true; rule: 'target' | 'user' | 'group'; detail: string } | { auto: false };

/**
 * Does the request skip human approval? `requesterGroups` are the requester's Okta groups
 * among those the flow's auto-approve rule names (asked of the directory).
 */
export function autoApproval(flow: Flow, targetId: string, requesterEmail: string, requesterGroups: readonly string[]): AutoApproval {
  const rules = flow.approval.autoApprove;
  if (rules.targets.includes(targetId)) return { auto: true, rule: 'target', detail: `target "${targetId}" needs no approval` };
  const email = requesterEmail.toLowerCase();
  if (rules.users.some((u) => u.toLowerCase() === email)) return { auto: true, rule: 'user', detail: `${email} is on the flow's allow-list` };
  const group = rules.groups.find((g) => requesterGroups.includes(g));
  if (group) return { auto: true, rule: 'group', detail: `requester is in auto-approve group ${group}` };
  return { auto: false };
}
