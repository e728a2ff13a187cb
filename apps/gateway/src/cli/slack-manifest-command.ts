import { parseArgs } from 'node:util';
import { slackManifest, SlackManifestError } from '@gatehouse/config';

export const SLACK_MANIFEST_USAGE = `  slack manifest --url <gateway URL> | --socket-mode [--name <app name>]
                                                        print the Slack app manifest (paste it at
                                                        api.slack.com/apps → Create New App → From a manifest)`;

/** `gatehouse slack manifest`: the manifest on stdout, what to do next on stderr. */
export function printSlackManifest(args: string[], usage: string): number {
  let values: { url?: string; 'socket-mode'?: boolean; name?: string };
  try {
    ({ values } = parseArgs({ args, options: { url: { type: 'string' }, 'socket-mode': { type: 'boolean' }, name: { type: 'string' } } }));
  } catch (error) {
    console.error(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  const socketMode = values['socket-mode'] === true;
  if (socketMode && values.url) {
    console.error('gatehouse: choose one: --url (Slack posts to the gateway) or --socket-mode (slack-bot connects out; no URL)');
    return 2;
  }
  try {
    console.log(JSON.stringify(slackManifest({ socketMode, url: values.url, name: values.name }), null, 2));
  } catch (error) {
    if (!(error instanceof SlackManifestError)) throw error;
    console.error(`gatehouse: ${error.message}`);
    return 2;
  }
  console.error(
    socketMode
      ? 'Next: install the app, then give slack-bot SLACK_BOT_TOKEN (OAuth & Permissions) and SLACK_APP_TOKEN (Basic Information → App-Level Tokens, scope connections:write).'
      : 'Next: install the app, then give the gateway SLACK_SIGNING_SECRET (Basic Information) and slack-bot SLACK_BOT_TOKEN (OAuth & Permissions).',
  );
  return 0;
}
