import { BLOCK_LIMITS } from './block-limits';

/** Text cut to fit a Block Kit field, visibly (an ellipsis), never rejected as invalid_blocks. */
export function fit(text: string, max: number = BLOCK_LIMITS.textChars): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function plain(text: string, max: number = BLOCK_LIMITS.textChars): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text: fit(text, max) };
}

export function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: fit(text) };
}
