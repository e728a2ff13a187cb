import type { Flow, FlowsFile } from '@gatehouse/config';
import type { FlowSummary } from '@gatehouse/contracts';

/** The flows loaded (and validated) at start-up. */
export class FlowCatalog {
  private readonly byName: Map<string, Flow>;

  constructor(file: FlowsFile) {
    this.byName = new Map(file.flows.map((flow) => [flow.name, flow]));
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
