import type { Flow, FlowsFile } from '@gatehouse/config';
import type { FlowSummary } from '@gatehouse/contracts';

/** The flows loaded (and validated) at start-up. */
export class FlowCatalog {
  private readonly byName: Map<string, Flow>;
  private readonly adminEmails: readonly string[];

  constructor(file: FlowsFile) {
    this.byName = new Map(file.flows.map((flow) => [flow.name, flow]));
    this.adminEmails = file.admins.map((email) => email.toLowerCase());
  }

  /** Gatehouse admins by email: what an admin token's scope is to a Slack user. */
  admins(): readonly string[] {
    return this.adminEmails;
  }

  all(): Flow[] {
    return [...this.byName.values()];
  }

  get(name: string): Flow | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  summaries(): FlowSummary[] {
    return [...this.byName.values()].map((flow) => ({
      name: flow.name,
      description: flow.description,
      targets: flow.targets.map((t) => ({ id: t.id, label: t.label, ...(t.maxDuration ? { maxDurationSeconds: t.maxDuration } : {}) })),
      durationsSeconds: flow.durations,
      reason: { required: flow.reason.required, ...(flow.reason.patternHint ? { hint: flow.reason.patternHint } : {}) },
      approvalsRequired: flow.approval.required,
      selfApproval: flow.approval.allowSelfApproval,
    }));
  }
}
