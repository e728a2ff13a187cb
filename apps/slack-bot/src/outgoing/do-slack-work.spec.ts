import type { WebClient } from '@slack/web-api';
import type { Transaction } from '@gatehouse/messaging';
import type { Logger } from '@gatehouse/observability';
import type { ApprovalCard } from '../approvals/approval-message';
import type { DmChannels } from '../identity/dm-channels';
import type { SlackIdentity } from '../identity/slack-identity';
import { slackCall, SlackCallFailed } from '../slack-api/slack-call-failed';
import { ASKS_AT_ONCE, SlackWorkDoer, StoppedPartWay } from './do-slack-work';
import type { AskRecipient, SlackWork } from './slack-work';

const card: ApprovalCard = {
  requestId: '3f0c6a5e-8a40-4f57-9a43-5d1c7f0b2a11',
  requester: { email: 'ada@example.com' },
  flow: 'aws-admin',
  targetLabel: 'AdministratorAccess',
  durationSeconds: 3600,
  reason: 'CHG-1',
  approvals: { count: 0, required: 1 },
};

/** Slack as the web client reports it: `ok: false` with a code, or a 503 after its own retries. */
const platformError = (error: string) => Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
const http503 = () => Object.assign(new Error('503'), { code: 'slack_webapi_http_error', statusCode: 503 });

function doerWith(failures: Map<string, () => Error>) {
  const posted: string[] = [];
  const recorded: unknown[][] = [];
  const post = async (channel: string) => {
    const failure = failures.get(channel);
    if (failure) throw failure();
    posted.push(channel);
    return { channel, ts: `${posted.length}.0001` };
  };
  const client = { chat: { postMessage: async ({ channel }: { channel: string }) => post(channel) } } as unknown as WebClient;
  const identity = { userOf: async (_client: WebClient, email: string) => ({ userId: email.startsWith('nobody') ? undefined : `U-${email}`, news: false }) } as unknown as SlackIdentity;
  // As DmChannels does: its failures come out as SlackCallFailed.
  const dms = { post: async (_client: WebClient, userId: string, purpose: string) => slackCall('chat.postMessage', `D-${userId}`, purpose, () => post(`D-${userId}`)) } as unknown as DmChannels;
  const logger = { warn: () => undefined } as unknown as Logger;
  const tx = { manager: { query: async (_sql: string, params: unknown[]) => recorded.push(params) } } as unknown as Transaction;
  const doer = new SlackWorkDoer(undefined as never, identity, undefined as never, undefined as never, dms, logger);
  return { doer, client, tx, posted, recorded };
}

function ask(to: AskRecipient[]): Extract<SlackWork, { kind: 'ask' }> {
  return { kind: 'ask', flow: card.flow, card, to };
}

describe('asking a request’s approvers (one queued piece of work for all of them)', () => {
  it('posts to the channel, then DMs each approver, recording every copy, and counts them asked', async () => {
    const { doer, client, tx, posted, recorded } = doerWith(new Map());
    const work = ask([{ channel: 'C0ACCESS' }, { approver: 'cto@example.com' }, { approver: 'nobody@example.com' }, { approver: 'sre@example.com' }]);
    expect(await doer.do(client, tx, card.requestId, work)).toEqual([]);
    expect(posted).toEqual(['C0ACCESS', 'D-U-cto@example.com', 'D-U-sre@example.com']);
    expect(recorded.map((params) => params[0])).toEqual(posted);
    expect(work.asked).toBe(4);
  });

  it('reports a recipient Slack refuses for good on its own, and still asks the others', async () => {
    const { doer, client, tx, posted } = doerWith(new Map([['C0ACCESS', () => platformError('not_in_channel')]]));
    const work = ask([{ channel: 'C0ACCESS' }, { approver: 'cto@example.com' }]);
    const setbacks = await doer.do(client, tx, card.requestId, work);
    expect(setbacks.map((s) => [s.error.failure.code, s.work])).toEqual([['not_in_channel', { kind: 'ask', flow: card.flow, card, to: [{ channel: 'C0ACCESS' }] }]]);
    expect(posted).toEqual(['D-U-cto@example.com']);
    expect(work.asked).toBe(2);
  });

  it('stops at a recipient Slack fails for a while: those before stay asked, it and those after wait', async () => {
    const { doer, client, tx, posted } = doerWith(new Map([['D-U-ciso@example.com', http503]]));
    const work = ask([{ approver: 'cto@example.com' }, { approver: 'ciso@example.com' }, { approver: 'sre@example.com' }]);
    const failed = await doer.do(client, tx, card.requestId, work).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(SlackCallFailed);
    expect((failed as SlackCallFailed).failure).toEqual({ code: 'http_503', retryable: true });
    expect(posted).toEqual(['D-U-cto@example.com']);
    expect(work.asked).toBe(1);
    // The next try starts where it stopped: the first approver is not asked twice.
    const after = doerWith(new Map());
    await after.doer.do(after.client, after.tx, card.requestId, work);
    expect(after.posted).toEqual(['D-U-ciso@example.com', 'D-U-sre@example.com']);
    expect(work.asked).toBe(3);
  });

  it('stopping on a failure for a while still hands over the recipients refused for good before it, to be reported now', async () => {
    const { doer, client, tx, posted } = doerWith(new Map<string, () => Error>([['C0ACCESS', () => platformError('not_in_channel')], ['D-U-ciso@example.com', http503]]));
    const work = ask([{ channel: 'C0ACCESS' }, { approver: 'cto@example.com' }, { approver: 'ciso@example.com' }, { approver: 'sre@example.com' }]);
    const stopped = await doer.do(client, tx, card.requestId, work).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(StoppedPartWay);
    const { reason, setbacks } = stopped as StoppedPartWay;
    expect((reason as SlackCallFailed).failure).toEqual({ code: 'http_503', retryable: true });
    expect(setbacks.map((s) => [s.error.failure.code, s.work])).toEqual([['not_in_channel', { kind: 'ask', flow: card.flow, card, to: [{ channel: 'C0ACCESS' }] }]]);
    expect(posted).toEqual(['D-U-cto@example.com']);
    // The next try starts at the DM that failed, after the channel: it is not reported twice.
    expect(work.asked).toBe(2);
  });

  it(`asks at most ${ASKS_AT_ONCE} in one go, and the next go carries on`, async () => {
    const { doer, client, tx, posted } = doerWith(new Map());
    const work = ask(Array.from({ length: ASKS_AT_ONCE + 5 }, (_, i) => ({ approver: `approver${i}@example.com` })));
    await doer.do(client, tx, card.requestId, work);
    expect(posted).toHaveLength(ASKS_AT_ONCE);
    expect(work.asked).toBe(ASKS_AT_ONCE);
    await doer.do(client, tx, card.requestId, work);
    expect(posted).toHaveLength(ASKS_AT_ONCE + 5);
    expect(new Set(posted).size).toBe(ASKS_AT_ONCE + 5);
    expect(work.asked).toBe(ASKS_AT_ONCE + 5);
  });
});
