import { datadogRequests } from './datadog-sink';

describe("Datadog's intake limits", () => {
  it('cuts a batch at 1,000 entries a request', () => {
    const requests = datadogRequests(Array.from({ length: 2500 }, (_, i) => JSON.stringify({ message: `m${i}` })));
    expect(requests.map((r) => (JSON.parse(r) as unknown[]).length)).toEqual([1000, 1000, 500]);
  });

  it('cuts a batch before a request would pass 5 MB, and keeps every entry in order', () => {
    const big = (i: number) => JSON.stringify({ message: `${i}:${'x'.repeat(900 * 1024)}` });
    const requests = datadogRequests(Array.from({ length: 12 }, (_, i) => big(i)));
    expect(requests.every((r) => Buffer.byteLength(r) <= 5 * 1024 * 1024)).toBe(true);
    const entries = requests.flatMap((r) => JSON.parse(r) as { message: string }[]);
    expect(entries.map((e) => Number(e.message.split(':')[0]))).toEqual([...Array(12).keys()]);
    expect(requests.length).toBe(3);
  });
});
