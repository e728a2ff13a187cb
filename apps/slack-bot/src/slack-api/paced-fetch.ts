import type { SlackPacer } from './slack-pacer';

type Fetch = typeof globalThis.fetch;

/**
 * How long a call may wait for its slot before it is pointless: a modal needs its trigger id
 * within 3 s, and an ephemeral answer to a click is stale after a few seconds. Such a call is
 * answered `ratelimited` at once rather than queued (and holding a place in the client's queue).
 */
const WORTH_WAITING_MS: Record<string, number> = {
  'views.open': 2500,
  'views.push': 2500,
  'chat.postEphemeral': 5000,
};

/** The method (`chat.postMessage`) of a Web API URL, and the channel its form body names. */
export function slackCallOf(url: string, body: unknown): { method: string; channel?: string } {
  const method = url.split('?')[0]?.split('/').pop() ?? '';
  const channel = typeof body === 'string' ? (new URLSearchParams(body).get('channel') ?? undefined) : undefined;
  return { method, channel };
}

/**
 * The one way out to Slack: every Web API call (Bolt's listeners and slack-bot's own work
 * alike) waits for its slot in the pacer, and a 429 tells the pacer to hold that method back
 * for Retry-After. The Web API client then retries the call itself.
 */
export function pacedFetch(pacer: SlackPacer, fetchFn: Fetch = globalThis.fetch): Fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const { method, channel } = slackCallOf(url, init?.body);
    const wait = pacer.reserve(method, channel);
    if (wait > (WORTH_WAITING_MS[method] ?? Infinity)) {
      return new Response(JSON.stringify({ ok: false, error: 'ratelimited', gatehouse: `not sent: Slack's rate limit would delay it ${wait} ms` }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const response = await fetchFn(input, init);
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      pacer.rateLimited(method, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1);
    }
    return response;
  };
}
