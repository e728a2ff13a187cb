import type { Pool } from 'pg';
import type { GatehouseSystem } from '../gatehouse-system';
import { blockAction } from '../fake-slack/slack-payloads';
import { slackDoor } from '../fake-slack/slack-door';
import type { SlackCall } from '../fake-slack/fake-slack';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The soak's flows (libs/testing/fixtures/soak-flows.yaml): both grant the same Okta group. */
export const SOAK_FLOW = { name: 'soak', slackName: 'soak-slack', target: 'console', group: '00gsoakconsole000001', channel: 'C0SOAK0001' } as const;
export const SOAK_FLOWS = [SOAK_FLOW.name, SOAK_FLOW.slackName];
/** One request in this many goes through Slack: what Slack's pacing of one channel can carry at the soak's rate. */
const SLACK_SHARE = 25;
/** The flow's approvers, in Slack and by email. */
export const SOAK_APPROVERS = [
  { slackId: 'U0SOAKAPR1', email: 'approver1@example.com' },
  { slackId: 'U0SOAKAPR2', email: 'approver2@example.com' },
] as const;

/** Where a request's life ends. */
export const FINAL_STATUSES = ['EXPIRED', 'REVOKED', 'DENIED', 'CANCELLED', 'TIMED_OUT', 'GRANT_FAILED'];

/** What happens to a request, fixed by its id (and flow) so a rerun of a step does the same thing. */
export type Decision = 'deny' | 'cancel' | 'approve-in-slack' | 'approve-by-api';
export type Ending = 'revoke' | 'expire' | 'keep';
export function fateOf(requestId: string, flow: string): { decision: Decision; ending: Ending } {
  const a = parseInt(requestId.slice(0, 8), 16) % 100;
  const b = parseInt(requestId.slice(9, 13), 16) % 100;
  const decision: Decision = flow === SOAK_FLOW.slackName ? 'approve-in-slack' : a < 15 ? 'deny' : a < 30 ? 'cancel' : 'approve-by-api';
  return { decision, ending: b < 35 ? 'revoke' : b < 80 ? 'expire' : 'keep' };
}

export interface LoadCounts {
  /** POSTs sent, and how they were answered. */
  offered: number;
  created: number;
  /** 202: approval had not answered in time, the command is queued; the request appears later. */
  queued: number;
  /** 503 (overloaded or a dependency down), 504, or no answer (the gateway was being killed): a client retries later. */
  unavailable: number;
  /** Any other answer to a POST: a bug the soak reports. */
  unexpected: number;
  approvedByApi: number;
  slackClicks: number;
  /** Requests meant to be approved in Slack whose channel message had not come 20 s on: approved by API instead. */
  slackTooLate: number;
  denied: number;
  cancelled: number;
  revoked: number;
  expired: number;
  /** Steps (a decision, a revoke…) answered 503 or not at all, tried again later. */
  retried: number;
}

/** Overloaded or a dependency down (503), approval slow (504), or the gateway gone (0). */
const retryable = (status: number) => status === 503 || status === 504 || status === 0;

/**
 * Steady mixed load, as people and a ticketing integration make it: requests at a fixed rate,
 * each later denied, cancelled or approved (by a click in Slack or by the API), and approved
 * ones revoked, expired (their timer brought forward) or left active. Steps are driven from
 * what the database says each request is now, so a request whose 201 was lost to a fault
 * is decided too, and a step that failed is simply tried again on a later tick.
 */
export class SoakLoad {
  readonly counts: LoadCounts = { offered: 0, created: 0, queued: 0, unavailable: 0, unexpected: 0, approvedByApi: 0, slackClicks: 0, slackTooLate: 0, denied: 0, cancelled: 0, revoked: 0, expired: 0, retried: 0 };
  readonly unexpectedAnswers: string[] = [];
  /** When each POST was sent and its status (0: no answer), to see how fast the system recovers. */
  readonly answers: { at: number; status: number }[] = [];
  private posting?: NodeJS.Timeout;
  private acting?: NodeJS.Timeout;
  private tickRunning = false;
  private readonly lastTried = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private sequence = 0;
  /**
   * Requesters, reused once their last request has ended, as people are: Slack then finds
   * them in slack-bot's cache rather than asking for each request. One open request each, so
   * Okta's log of one person's memberships reads as their grants one after another.
   */
  private readonly free: string[] = [];
  private readonly open = new Map<string, string>();
  private users = 0;
  private indexed = 0;
  private readonly copies = new Map<string, SlackCall>();

  constructor(
    private readonly system: GatehouseSystem,
    private readonly db: Pool,
    private readonly token: string,
    private readonly options: { ratePerSecond: number; runId: string },
  ) {}

  startRequests(): void {
    this.posting = setInterval(() => this.track(this.post()), 1000 / this.options.ratePerSecond);
  }

  stopRequests(): void {
    clearInterval(this.posting);
  }

  startActing(): void {
    this.acting = setInterval(() => {
      if (this.tickRunning) return;
      this.tickRunning = true;
      void this.tick().finally(() => (this.tickRunning = false));
    }, 250);
  }

  async stop(): Promise<void> {
    this.stopRequests();
    clearInterval(this.acting);
    while (this.inFlight.size > 0 || this.tickRunning) await Promise.allSettled([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 50))]);
  }

  /** Requests not yet where the soak leaves them: waiting for a step of its, or for the system (being granted, say). */
  async unfinished(): Promise<number> {
    const { rows } = await this.db.query<{ id: string; flow: string; status: string }>(
      `SELECT id, flow, status FROM approval.access_requests WHERE flow = ANY($1::text[]) AND NOT (status = ANY($2::text[]))`,
      [SOAK_FLOWS, FINAL_STATUSES],
    );
    return rows.filter((r) => r.status !== 'ACTIVE' || fateOf(r.id, r.flow).ending !== 'keep').length;
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async post(): Promise<void> {
    const email = this.free.pop() ?? this.newRequester();
    const flow = ++this.sequence % SLACK_SHARE === 0 ? SOAK_FLOW.slackName : SOAK_FLOW.name;
    this.counts.offered += 1;
    const at = Date.now();
    const { status, body } = await this.call('/api/v1/requests', { flow, target: SOAK_FLOW.target, durationSeconds: 3600, reason: `soak ${this.sequence}` }, email);
    this.answers.push({ at, status });
    const id = (body as { request?: { id?: string }; id?: string } | undefined)?.request?.id ?? (body as { id?: string } | undefined)?.id;
    if ((status === 201 || status === 202) && id) this.open.set(id, email);
    // 503: nothing was created, the requester may ask again. No answer at all: it may have
    // been, so that requester is not asked for again.
    else if (status === 503) this.free.push(email);
    if (status === 201) this.counts.created += 1;
    else if (status === 202) this.counts.queued += 1;
    else if (retryable(status)) this.counts.unavailable += 1;
    else {
      this.counts.unexpected += 1;
      this.unexpectedAnswers.push(`POST /api/v1/requests → ${status}`);
    }
  }

  private newRequester(): string {
    const email = `soak-${this.options.runId}-${++this.users}@example.com`;
    this.system.okta.addUser(email);
    return email;
  }

  /** Requesters whose request has ended are free to ask again. */
  private async release(): Promise<void> {
    if (this.open.size === 0) return;
    const { rows } = await this.db.query<{ id: string }>(`SELECT id::text AS id FROM approval.access_requests WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])`, [[...this.open.keys()], FINAL_STATUSES]);
    for (const { id } of rows) {
      this.free.push(this.open.get(id) as string);
      this.open.delete(id);
    }
  }

  /** Requests whose next step is the soak's, skipping those tried less than `backoffMs` ago. */
  private async due(backoffMs: number): Promise<{ id: string; flow: string; status: string; requester: string; age: number }[]> {
    const { rows } = await this.db.query<{ id: string; flow: string; status: string; requester_email: string; age_ms: number }>(
      `SELECT id, flow, status, requester_email, (extract(epoch FROM now() - updated_at) * 1000)::int AS age_ms
         FROM approval.access_requests WHERE status IN ('PENDING', 'ACTIVE') AND flow = ANY($1::text[])`,
      [SOAK_FLOWS],
    );
    const now = Date.now();
    return rows
      .filter((r) => r.status === 'PENDING' || fateOf(r.id, r.flow).ending !== 'keep')
      .filter((r) => now - (this.lastTried.get(r.id) ?? 0) >= backoffMs)
      .map((r) => ({ id: r.id, flow: r.flow, status: r.status, requester: r.requester_email, age: r.age_ms }));
  }

  private async tick(): Promise<void> {
    let due: Awaited<ReturnType<SoakLoad['due']>>;
    try {
      await this.release();
      due = await this.due(3000);
    } catch {
      return; // PostgreSQL restarting: the next tick looks again
    }
    // A person takes a moment: steps follow at least 200 ms after the last change.
    const steps = due.filter((r) => r.age >= 200).slice(0, 40);
    await Promise.all(
      steps.map(async (r) => {
        this.lastTried.set(r.id, Date.now());
        await (r.status === 'PENDING' ? this.decide(r.id, r.flow, r.requester, r.age) : this.end(r.id, r.flow, r.requester));
      }),
    );
  }

  private async decide(id: string, flow: string, requester: string, ageMs: number): Promise<void> {
    const { decision } = fateOf(id, flow);
    const approver = SOAK_APPROVERS[parseInt(id.slice(-2), 16) % SOAK_APPROVERS.length] as (typeof SOAK_APPROVERS)[number];
    if (decision === 'deny') return this.step(await this.api(`/api/v1/requests/${id}/deny`, { reason: 'not during the freeze' }, approver.email), 'denied');
    if (decision === 'cancel') return this.step(await this.api(`/api/v1/requests/${id}/cancel`, {}, requester), 'cancelled');
    if (decision === 'approve-in-slack') {
      // The click needs the channel copy; while Slack is failing it may come late, so after
      // 20 s without one the approver uses the API instead.
      const copy = this.channelCopy(id);
      if (copy) {
        const door = slackDoor('http', this.system.slack, () => this.system.gatewayUrl);
        const ts = String(copy.result?.['ts']);
        const answer = await door(blockAction({ userId: approver.slackId, actionId: 'gatehouse_approve', value: id, channelId: SOAK_FLOW.channel, messageTs: ts, triggerId: this.system.slack.issueTrigger() })).catch(() => ({ status: 0 }));
        if (answer.status === 200) this.counts.slackClicks += 1;
        else this.counts.retried += 1;
        return; // decided once the database says so; a later tick clicks again if not
      }
      if (ageMs < 20_000) return;
      const status = await this.api(`/api/v1/requests/${id}/approve`, {}, approver.email);
      if (status === 200) this.counts.slackTooLate += 1;
      return this.step(status, 'approvedByApi');
    }
    return this.step(await this.api(`/api/v1/requests/${id}/approve`, {}, approver.email), 'approvedByApi');
  }

  private async end(id: string, flow: string, requester: string): Promise<void> {
    const { ending } = fateOf(id, flow);
    if (ending === 'revoke') return this.step(await this.api(`/api/v1/requests/${id}/revoke`, {}, requester), 'revoked');
    try {
      const { rowCount } = await this.db.query(`UPDATE approval.timers SET due_at = now() WHERE request_id = $1 AND kind = 'expire' AND fired_at IS NULL AND due_at > now()`, [id]);
      if (rowCount) this.counts.expired += 1; // approval's timer poller does the rest
    } catch {
      // PostgreSQL restarting: a later tick tries again
    }
  }

  /** Counts a step's answer: done (200), done before (409), to try again, or a bug. */
  private step(status: number, counter: 'approvedByApi' | 'denied' | 'cancelled' | 'revoked'): void {
    if (status === 200) this.counts[counter] += 1;
    else if (retryable(status)) this.counts.retried += 1;
    else if (status !== 409) this.unexpectedAnswers.push(`${counter}: HTTP ${status}`);
  }

  /** The request's message in the flow's channel, if Slack has it (indexed as calls arrive: a long soak makes many). */
  private channelCopy(requestId: string): SlackCall | undefined {
    const calls = this.system.slack.calls;
    for (; this.indexed < calls.length; this.indexed++) {
      const call = calls[this.indexed] as SlackCall;
      if (call.method !== 'chat.postMessage' || !call.ok || call.args['channel'] !== SOAK_FLOW.channel || call.args['thread_ts']) continue;
      for (const id of String(call.args['blocks']).match(UUID) ?? []) if (!this.copies.has(id)) this.copies.set(id, call);
    }
    return this.copies.get(requestId);
  }

  /** POSTs as the ticketing integration acting for `onBehalfOf`: the status (0 when nothing answered). */
  private async api(path: string, body: unknown, onBehalfOf: string): Promise<number> {
    return (await this.call(path, body, onBehalfOf)).status;
  }

  private async call(path: string, body: unknown, onBehalfOf: string): Promise<{ status: number; body?: unknown }> {
    try {
      const response = await fetch(`${this.system.gatewayUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'gatehouse-on-behalf-of': onBehalfOf },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed };
    } catch {
      return { status: 0 };
    }
  }
}
