import { acknowledgedAtOnce } from './acknowledged-at-once';

const interaction = (type: string) => ({ payload: JSON.stringify({ type, user: { id: 'U1' } }) });

describe('acknowledgedAtOnce', () => {
  it('acknowledges clicks, callbacks, closed modals and shortcuts at once', () => {
    for (const type of ['block_actions', 'view_closed', 'shortcut', 'message_action']) expect(acknowledgedAtOnce(interaction(type))).toBe(true);
    expect(acknowledgedAtOnce({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } })).toBe(true);
  });

  it('leaves to the listener what Slack reads from the acknowledgement', () => {
    for (const type of ['view_submission', 'block_suggestion']) expect(acknowledgedAtOnce(interaction(type))).toBe(false);
    expect(acknowledgedAtOnce({ command: '/access', text: 'help', user_id: 'U1' })).toBe(false);
    expect(acknowledgedAtOnce({ type: 'block_suggestion', value: 'ab' })).toBe(false);
  });

  it('does not guess about a payload it cannot read', () => {
    expect(acknowledgedAtOnce({ payload: '{not json' })).toBe(false);
    expect(acknowledgedAtOnce({})).toBe(false);
  });
});
