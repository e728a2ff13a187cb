import type { Authorize } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { botAuthorization } from './bot-authorization';

function clientAnswering(...answers: (Record<string, unknown> | Error)[]): { client: WebClient; calls: () => number } {
  let calls = 0;
  const client = {
    auth: {
      test: async () => {
        const answer = answers[Math.min(calls++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  } as unknown as WebClient;
  return { client, calls: () => calls };
}

describe('botAuthorization', () => {
  const source = { isEnterpriseInstall: false, teamId: 'T0', userId: 'U1' } as Parameters<Authorize<boolean>>[0];

  it('asks Slack who the bot is once, however many deliveries come', async () => {
    const { client, calls } = clientAnswering({ ok: true, bot_id: 'B0', user_id: 'U0BOT' });
    const authorize = botAuthorization(client, 'xoxb-1');
    const results = await Promise.all(Array.from({ length: 20 }, () => authorize(source)));
    expect(results[19]).toEqual({ botToken: 'xoxb-1', botId: 'B0', botUserId: 'U0BOT' });
    expect(calls()).toBe(1);
  });

  it('asks again after a failure, rather than failing every delivery after it', async () => {
    const { client, calls } = clientAnswering(new Error('network'), { ok: true, bot_id: 'B0', user_id: 'U0BOT' });
    const authorize = botAuthorization(client, 'xoxb-1');
    await expect(authorize(source)).rejects.toThrow('network');
    await expect(authorize(source)).resolves.toMatchObject({ botId: 'B0' });
    expect(calls()).toBe(2);
  });
});
