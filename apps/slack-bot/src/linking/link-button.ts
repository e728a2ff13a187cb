import { mrkdwn, plain } from '../requesting/block-text';

/** The action of every "Link your account" button (the Home's, and those under refusals). */
export const LINK_ACCOUNT_ACTION = 'gatehouse_home_link';

/**
 * A message that tells the person to link their account (Gatehouse cannot map them, or a flow
 * requires a linked identity) carries the button that does it, when linking is set up.
 */
export function withLinkButton(text: string, offered: boolean): { text: string; blocks?: Record<string, unknown>[] } {
  if (!offered || !text.includes('Link your account')) return { text };
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      { type: 'actions', elements: [{ type: 'button', action_id: LINK_ACCOUNT_ACTION, value: 'message', style: 'primary', text: plain('Link your account', 75) }] },
    ],
  };
}
