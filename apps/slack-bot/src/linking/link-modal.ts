import { plain, mrkdwn } from '../requesting/block-text';

/** The modal that sends the person to sign in with Okta: one button, a link good once for ten minutes. */
export function linkModal(url: string): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: 'gatehouse_link_account',
    title: plain('Link your account', 24),
    close: plain('Close', 24),
    blocks: [
      {
        type: 'section',
        text: mrkdwn('Sign in to Okta in your browser: Gatehouse then knows your Slack account for certain as your Okta account, whatever email your Slack profile shows. The link works once, for ten minutes.'),
      },
      { type: 'actions', elements: [{ type: 'button', action_id: 'gatehouse_link_open', text: plain('Sign in with Okta', 75), url, style: 'primary' }] },
    ],
  };
}
