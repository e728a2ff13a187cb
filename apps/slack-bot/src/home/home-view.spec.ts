import { randomUUID } from 'node:crypto';
import type { RequestStatus, RequestView } from '@gatehouse/contracts';
import { FIRST_PAGE, HOME_ACTIONS, homeView, morePages, pagesOf, unknownPersonHome } from './home-view';

function request(status: RequestStatus, over: Partial<RequestView> = {}): RequestView {
  return {
    id: randomUUID(),
    requester: { email: 'ada@example.com' },
    flow: 'production-database',
    target: 'read-only',
    targetLabel: 'Read-only (replica)',
    durationSeconds: 3600,
    reason: 'INC-1',
    channel: 'slack',
    status,
    approvals: { count: 0, required: 1 },
    decisions: [],
    createdAt: '2026-11-22T10:00:00.000Z',
    ...over,
  } as RequestView;
}

type Block = { type: string; elements?: { action_id?: string; value?: string }[]; accessory?: { action_id?: string; value?: string } };
const blocksOf = (view: Record<string, unknown>) => view['blocks'] as Block[];
const buttons = (view: Record<string, unknown>) => blocksOf(view).flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]).filter((e) => e.action_id);

describe('the App Home', () => {
  it('puts each request where its person acts on it', () => {
    const toDecide = request('PENDING', { requester: { email: 'bob@example.com' } });
    const pending = request('PENDING');
    const active = request('ACTIVE', { access: { grantId: randomUUID(), grantedAt: '2026-11-22T10:00:00.000Z', expiresAt: '2026-11-22T11:00:00.000Z' } } as Partial<RequestView>);
    const over = request('EXPIRED');
    const view = homeView({ toDecide: [toDecide], mine: [pending, active, over] });
    expect(view['type']).toBe('home');
    const actions = buttons(view).map((b) => `${b.action_id}:${b.value}`);
    expect(actions).toEqual([
      'gatehouse_home_request:home',
      'gatehouse_home_find:home',
      `gatehouse_home_approve:${toDecide.id}`,
      `gatehouse_home_deny:${toDecide.id}`,
      `gatehouse_home_cancel:${pending.id}`,
      `gatehouse_home_revoke:${active.id}`,
      `gatehouse_home_extend:${active.id}`,
    ]);
    expect(JSON.stringify(view)).toContain('expired');
  });

  it('says what it cannot show just now rather than showing an empty list as if nothing waited', () => {
    const view = homeView({ toDecide: [], mine: [request('PENDING')], unshown: { decide: 'Requests you may approve through an Okta group are not shown: Gatehouse cannot check your groups in Okta just now.' } });
    const texts = blocksOf(view).map((b) => JSON.stringify(b));
    const header = texts.findIndex((t) => t.includes('Waiting for your decision'));
    expect(texts[header + 1]).toContain(':warning: Requests you may approve through an Okta group are not shown');
    expect(texts[header + 2]).toContain('Nothing else to show.');
    expect(JSON.stringify(view)).not.toContain('Nothing waits for you.');
    // The other sections are as usual.
    expect(texts.filter((t) => t.includes(':warning:'))).toHaveLength(1);
  });

  it('stays within 100 blocks however much there is, with More for what is not shown', () => {
    const many = (status: RequestStatus, n: number) => Array.from({ length: n }, () => request(status, status === 'PENDING' ? { requester: { email: 'bob@example.com' } } : {}));
    const content = { toDecide: many('PENDING', 80), mine: [...many('ACTIVE', 80), ...many('EXPIRED', 80)] };
    const first = homeView(content);
    expect(blocksOf(first).length).toBeLessThanOrEqual(100);
    expect(buttons(first).filter((b) => b.action_id === 'gatehouse_home_more').map((b) => b.value)).toEqual(['decide', 'active', 'history']);
    const wide = homeView(content, { decide: 100, pending: 100, active: 100, history: 100 });
    expect(blocksOf(wide)).toHaveLength(100);
    expect(JSON.stringify(blocksOf(wide).at(-1))).toContain('More than fits here');
  });

  it('remembers the pages shown, and More shows the next ten of a section', () => {
    const pages = morePages(FIRST_PAGE, 'decide');
    expect(pages).toEqual({ ...FIRST_PAGE, decide: 15 });
    expect(pagesOf(homeView({ toDecide: [], mine: [] }, pages)['private_metadata'] as string)).toEqual(pages);
    expect(pagesOf('not json')).toEqual(FIRST_PAGE);
    expect(morePages(FIRST_PAGE, 'nonsense')).toEqual(FIRST_PAGE);
  });

  it('offers to link the account when linking is set up, and Unlink once linked', () => {
    const ids = (view: Record<string, unknown>) => buttons(view).map((b) => b.action_id);
    expect(ids(homeView({ mine: [], toDecide: [], identity: { email: 'ada@example.com', linked: false, linkOffered: true } }))).toContain(HOME_ACTIONS.link);
    expect(ids(homeView({ mine: [], toDecide: [], identity: { email: 'ada@example.com', linked: false, linkOffered: false } }))).not.toContain(HOME_ACTIONS.link);
    const linked = homeView({ mine: [], toDecide: [], identity: { email: 'ada@example.com', linked: true, linkOffered: true } });
    expect(ids(linked)).toContain(HOME_ACTIONS.unlink);
    expect(JSON.stringify(linked)).toContain('proven by signing in to Okta');
    // Someone Gatehouse cannot map is offered the link that fixes it.
    expect(ids(unknownPersonHome('Gatehouse cannot tell who you are', true))).toEqual([HOME_ACTIONS.link]);
  });
});
