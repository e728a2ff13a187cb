import { deliveryKey } from './delivery-key';

describe('deliveryKey', () => {
  it("keys an Events API callback by Slack's event_id, whatever else changed", () => {
    expect(deliveryKey({ type: 'event_callback', event_id: 'Ev01', event: { type: 'app_home_opened' } })).toBe('event:Ev01');
    expect(deliveryKey({ type: 'event_callback', event_id: 'Ev01', event_time: 2 })).toBe('event:Ev01');
  });

  it('keys a command or an interaction by its content: the same payload again is the same delivery', () => {
    const click = { payload: JSON.stringify({ type: 'block_actions', trigger_id: '1.2.abc', actions: [{ action_id: 'gatehouse_approve' }] }) };
    expect(deliveryKey(click)).toBe(deliveryKey({ ...click }));
    expect(deliveryKey(click)).not.toBe(deliveryKey({ payload: click.payload.replace('1.2.abc', '1.3.def') }));
  });

  it('never dedupes type-ahead, which has no effect and repeats on purpose', () => {
    expect(deliveryKey({ payload: JSON.stringify({ type: 'block_suggestion', value: 'ab' }) })).toBeUndefined();
    expect(deliveryKey({ type: 'block_suggestion', value: 'ab' })).toBeUndefined();
  });
});
