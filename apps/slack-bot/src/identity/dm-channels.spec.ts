import type { WebClient } from '@slack/web-api';
import { SlackCallFailed } from '../slack-api/slack-call-failed';
import { DmChannels } from './dm-channels';

describe('DmChannels', () => {
  const slack = (failWith?: () => string | undefined) => {
    const opened: string[] = [];
    const posted: string[] = [];
    const client = {
      conversations: { open: async ({ users }: { users: string }) => (opened.push(users), { ok: true, channel: { id: `D${users}` } }) },
      chat: {
        postMessage: async ({ channel }: { channel: string }) => {
          const error = failWith?.();
          if (error) throw Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
          posted.push(channel);
          return { ok: true, channel, ts: String(posted.length) };
        },
      },
    } as unknown as WebClient;
    return { client, opened, posted };
  };

  it('opens a DM once per person and posts in it', async () => {
    const { client, opened, posted } = slack();
    const dms = new DmChannels();
    expect(await dms.post(client, 'U1', 'approval message', { text: 'a' })).toEqual({ ok: true, channel: 'DU1', ts: '1' });
    await dms.post(client, 'U1', 'approval message', { text: 'b' });
    await dms.post(client, 'U2', 'approval message', { text: 'c' });
    expect(opened).toEqual(['U1', 'U2']);
    expect(posted).toEqual(['DU1', 'DU1', 'DU2']);
  });

  it('opens the DM again after Slack refused it for good, not after a passing failure', async () => {
    let next: string | undefined;
    const { client, opened } = slack(() => next);
    const dms = new DmChannels();
    await dms.post(client, 'U1', 'approval message', { text: 'a' });
    next = 'ratelimited';
    await expect(dms.post(client, 'U1', 'approval message', { text: 'b' })).rejects.toBeInstanceOf(SlackCallFailed);
    next = 'is_archived';
    await expect(dms.post(client, 'U1', 'approval message', { text: 'c' })).rejects.toMatchObject({ failure: { code: 'is_archived', retryable: false } });
    next = undefined;
    await dms.post(client, 'U1', 'approval message', { text: 'd' });
    expect(opened).toEqual(['U1', 'U1']);
  });
});
