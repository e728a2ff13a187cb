import type { WebClient } from '@slack/web-api';
import { DmChannels } from './dm-channels';

describe('DmChannels', () => {
  it('opens a DM once per person, and again once it was forgotten', async () => {
    const opened: string[] = [];
    const client = { conversations: { open: async ({ users }: { users: string }) => (opened.push(users), { ok: true, channel: { id: `D${users}` } }) } } as unknown as WebClient;
    const dms = new DmChannels();
    expect(await dms.of(client, 'U1', 'approval message')).toBe('DU1');
    expect(await dms.of(client, 'U1', 'approval message')).toBe('DU1');
    expect(await dms.of(client, 'U2', 'approval message')).toBe('DU2');
    expect(opened).toEqual(['U1', 'U2']);
    dms.forget('U1');
    await dms.of(client, 'U1', 'approval message');
    expect(opened).toEqual(['U1', 'U2', 'U1']);
  });
});
