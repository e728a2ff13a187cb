import type { RequestView } from '@gatehouse/contracts';
import { formatDuration } from '@gatehouse/config';
import { slackTime } from '../messages/slack-time';
import { BLOCK_LIMITS } from '../requesting/block-limits';
import { mrkdwn, plain } from '../requesting/block-text';
import { LINK_ACCOUNT_ACTION } from '../linking/link-button';

/** Action ids of the Home's buttons (the value is a request id, or a section for "More"). */
export const HOME_ACTIONS = {
  request: 'gatehouse_home_request',
  find: 'gatehouse_home_find',
  approve: 'gatehouse_home_approve',
  deny: 'gatehouse_home_deny',
  cancel: 'gatehouse_home_cancel',
  revoke: 'gatehouse_home_revoke',
  extend: 'gatehouse_home_extend',
  more: 'gatehouse_home_more',
  link: LINK_ACCOUNT_ACTION,
  unlink: 'gatehouse_home_unlink',
} as const;

export type HomeSection = 'decide' | 'pending' | 'active' | 'history';
/** How many of each section show; "More" shows more of one. */
export type HomePages = Record<HomeSection, number>;
export const FIRST_PAGE: HomePages = { decide: 5, pending: 5, active: 5, history: 5 };
const PAGE = 10;

export interface HomeContent {
  /** Requests waiting for this person's decision (not theirs, not approved by them yet). */
  toDecide: RequestView[];
  /** This person's own requests, newest first. */
  mine: RequestView[];
  /** Who Gatehouse takes them for, and whether linking their Okta account is offered. */
  identity?: { email: string; linked: boolean; linkOffered: boolean };
  /** What a list could not show just now (Okta or approval unreachable), said under its header. */
  unshown?: { decide?: string; mine?: string };
}

type Block = Record<string, unknown>;

const button = (text: string, action_id: string, value: string, style?: 'primary' | 'danger'): Block => ({ type: 'button', text: plain(text, BLOCK_LIMITS.optionTextChars), action_id, value, ...(style ? { style } : {}) });
const what = (r: RequestView) => `*${r.targetLabel}* (${r.flow}) for ${formatDuration(r.durationSeconds)}`;

/** One section of the Home: its items (a block or two each), then "More" if some are not shown. */
function section(title: string, empty: string, items: RequestView[], shown: number, sectionId: HomeSection, render: (r: RequestView) => Block[], unshown?: string): Block[] {
  const blocks: Block[] = [{ type: 'header', text: plain(title, 150) }];
  if (unshown) blocks.push({ type: 'context', elements: [mrkdwn(`:warning: ${unshown}`)] });
  if (items.length === 0) return [...blocks, { type: 'context', elements: [mrkdwn(unshown ? 'Nothing else to show.' : empty)] }];
  for (const item of items.slice(0, shown)) blocks.push(...render(item));
  if (items.length > shown) blocks.push({ type: 'actions', elements: [button(`More (${items.length - shown})`, HOME_ACTIONS.more, sectionId)] });
  return blocks;
}

/**
 * The App Home: "Request access", what waits for my decision (Approve, Deny), my pending
 * requests (Cancel), my access now (Revoke now, Extend) and my recent history. Each section
 * shows a page and "More"; whatever the pages ask, the view stays within Slack's 100 blocks.
 */
export function homeView(content: HomeContent, pages: HomePages = FIRST_PAGE): Record<string, unknown> {
  const pending = content.mine.filter((r) => r.status === 'PENDING');
  const active = content.mine.filter((r) => r.status === 'ACTIVE' || r.status === 'GRANTING' || r.status === 'APPROVED');
  const history = content.mine.filter((r) => !pending.includes(r) && !active.includes(r));
  const top: Block[] = [
    { type: 'section', text: mrkdwn('*Gatehouse* gives you access for as long as you need it, approved by the right people.') },
    { type: 'actions', elements: [button('Request access', HOME_ACTIONS.request, 'home', 'primary'), button('Find access', HOME_ACTIONS.find, 'home')] },
    ...identityBlocks(content.identity),
  ];
  const parts = [
    section('Waiting for your decision', 'Nothing waits for you.', content.toDecide, pages.decide, 'decide', (r) => [
      { type: 'section', text: mrkdwn(`${r.requester.email} asks for ${what(r)}: ${r.reason || '(no reason)'}\n${r.approvals.count} of ${r.approvals.required} approvals · asked ${slackTime(r.createdAt)}`) },
      { type: 'actions', elements: [button('Approve', HOME_ACTIONS.approve, r.id, 'primary'), button('Deny', HOME_ACTIONS.deny, r.id, 'danger')] },
    ], content.unshown?.decide),
    section('Your pending requests', 'None.', pending, pages.pending, 'pending', (r) => [
      { type: 'section', text: mrkdwn(`${what(r)} · ${r.approvals.count} of ${r.approvals.required} approvals · asked ${slackTime(r.createdAt)}`), accessory: button('Cancel request', HOME_ACTIONS.cancel, r.id) },
    ], content.unshown?.mine),
    section('Your access now', 'None.', active, pages.active, 'active', (r) => [
      { type: 'section', text: mrkdwn(`${what(r)}${r.access?.expiresAt ? ` · until ${slackTime(r.access.expiresAt)}` : ' · being granted'}`) },
      { type: 'actions', elements: [button('Revoke now', HOME_ACTIONS.revoke, r.id, 'danger'), button('Extend', HOME_ACTIONS.extend, r.id)] },
    ], content.unshown?.mine),
    section('Recently', 'Nothing yet.', history, pages.history, 'history', (r) => [{ type: 'context', elements: [mrkdwn(`${what(r)} · ${r.status.toLowerCase().replace(/_/g, ' ')} · asked ${slackTime(r.createdAt)}`)] }], content.unshown?.mine),
  ];
  const blocks: Block[] = [...top];
  for (const part of parts) {
    // A section that would not fit whole is cut to what fits, ending with a note rather than over the limit.
    if (blocks.length + part.length <= BLOCK_LIMITS.viewBlocks) blocks.push(...part);
    else {
      const room = BLOCK_LIMITS.viewBlocks - blocks.length;
      if (room >= 2) blocks.push(...part.slice(0, room - 1), { type: 'context', elements: [mrkdwn('More than fits here: use `/access list`.')] });
      break;
    }
  }
  return { type: 'home', private_metadata: JSON.stringify(pages), blocks };
}

/** Who Gatehouse takes the person for: linked to Okta (Unlink), or by their Slack profile (Link your account). */
function identityBlocks(identity: HomeContent['identity']): Block[] {
  if (!identity) return [];
  if (identity.linked) {
    return [{ type: 'section', text: mrkdwn(`:lock: You are *${identity.email}* in Gatehouse, proven by signing in to Okta.`), accessory: button('Unlink', HOME_ACTIONS.unlink, 'home') }];
  }
  if (!identity.linkOffered) return [];
  return [
    {
      type: 'section',
      text: mrkdwn(`Gatehouse knows you as *${identity.email}* from your Slack profile. Sign in to Okta once so it knows you for certain (some flows ask for it).`),
      accessory: button('Link your account', HOME_ACTIONS.link, 'home', 'primary'),
    },
  ];
}

/** A Home for someone Gatehouse cannot tell who they are: why, and how to fix it. */
export function unknownPersonHome(message: string, linkOffered: boolean): Record<string, unknown> {
  return {
    type: 'home',
    blocks: [
      { type: 'section', text: mrkdwn(message) },
      ...(linkOffered ? [{ type: 'actions', elements: [button('Link your account', HOME_ACTIONS.link, 'home', 'primary')] }] : []),
    ],
  };
}

/** The pages a Home was shown with (its private_metadata), or the first ones. */
export function pagesOf(privateMetadata: string | undefined): HomePages {
  try {
    const parsed = JSON.parse(privateMetadata ?? '') as Partial<HomePages>;
    const pick = (key: HomeSection) => (typeof parsed[key] === 'number' && parsed[key] > 0 ? Math.min(parsed[key], 100) : FIRST_PAGE[key]);
    return { decide: pick('decide'), pending: pick('pending'), active: pick('active'), history: pick('history') };
  } catch {
    return { ...FIRST_PAGE };
  }
}

/** "More" on a section: the next page of it. */
export function morePages(pages: HomePages, sectionId: string): HomePages {
  return sectionId in pages ? { ...pages, [sectionId]: pages[sectionId as HomeSection] + PAGE } : pages;
}
