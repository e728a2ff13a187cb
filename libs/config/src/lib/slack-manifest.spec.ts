import { slackBotScopes, slackManifest, SlackManifestError } from './slack-manifest';

type Manifest = {
  features: { slash_commands: { command: string; url?: string }[]; shortcuts: { callback_id: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string }; socket_mode_enabled: boolean };
};

describe('the Slack app manifest', () => {
  it('points the slash command, interactivity and type-ahead at the gateway in HTTP mode', () => {
    const manifest = slackManifest({ socketMode: false, url: 'https://gatehouse.example.com/' }) as Manifest;
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: '/access', url: 'https://gatehouse.example.com/slack/events' })]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: 'https://gatehouse.example.com/slack/events', message_menu_options_url: 'https://gatehouse.example.com/slack/events' });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.features.shortcuts.map((s) => s.callback_id)).toEqual(['gatehouse_request_access', 'gatehouse_find_access']);
    expect(manifest.oauth_config.scopes.bot).toEqual(slackBotScopes());
  });

  it('keeps a path the gateway sits under (a relay or proxy prefix)', () => {
    const manifest = slackManifest({ socketMode: false, url: 'https://corp.example.com/gatehouse' }) as Manifest;
    expect(manifest.settings.interactivity.request_url).toBe('https://corp.example.com/gatehouse/slack/events');
  });

  it('asks for no URL in Socket Mode', () => {
    const manifest = slackManifest({ socketMode: true }) as Manifest;
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true });
    expect(manifest.features.slash_commands[0]?.url).toBeUndefined();
  });

  it('says what is wrong with the URL', () => {
    expect(() => slackManifest({ socketMode: false })).toThrow(SlackManifestError);
    expect(() => slackManifest({ socketMode: false })).toThrow(/--url https:\/\/<gateway>/);
    expect(() => slackManifest({ socketMode: false, url: 'http://gatehouse.example.com' })).toThrow(/only posts to https/);
    expect(() => slackManifest({ socketMode: false, url: 'gatehouse' })).toThrow(/absolute URL/);
  });
});
