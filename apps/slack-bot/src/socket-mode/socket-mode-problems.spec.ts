import { fatalSocketModeProblem, socketModeStartProblem } from './socket-mode-problems';

describe('Socket Mode problems', () => {
  it('names Slack\'s error and what to do about it', () => {
    const problem = socketModeStartProblem(Object.assign(new Error('An API error occurred: invalid_auth'), { data: { ok: false, error: 'invalid_auth' } }));
    expect(problem).toContain('Slack said invalid_auth');
    expect(problem).toContain('App-Level Tokens');
  });

  it('stops for link_disabled, and not for a routine refresh', () => {
    expect(fatalSocketModeProblem(JSON.stringify({ type: 'disconnect', reason: 'link_disabled' }))).toContain('turn it on');
    expect(fatalSocketModeProblem(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }))).toBeUndefined();
    expect(fatalSocketModeProblem('not json')).toBeUndefined();
  });
});
