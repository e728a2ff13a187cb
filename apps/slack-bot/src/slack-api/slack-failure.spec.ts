import { describeSlackFailure, slackFailureOf } from './slack-failure';

describe('slackFailureOf', () => {
  it('treats a missing channel as lasting, with its meaning in words', () => {
    const failure = slackFailureOf({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_in_channel' } });
    expect(failure).toEqual({ code: 'not_in_channel', retryable: false });
    expect(describeSlackFailure(failure)).toMatch(/not_in_channel \(the Gatehouse app is not a member of that channel; invite it/);
  });

  it('treats 5xx, network trouble, rate limits and a bad token as passing', () => {
    expect(slackFailureOf({ code: 'slack_webapi_http_error', statusCode: 503 })).toEqual({ code: 'http_503', retryable: true });
    expect(slackFailureOf({ code: 'slack_webapi_request_error' })).toEqual({ code: 'network', retryable: true });
    expect(slackFailureOf(new Error('A rate limit was exceeded (url: x, retry-after: 1)'))).toEqual({ code: 'ratelimited', retryable: true });
    expect(slackFailureOf({ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } }).retryable).toBe(true);
  });
});
