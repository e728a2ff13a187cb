import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SLACK_FEATURE_SCOPES, SLACK_METHOD_SCOPES, slackBotScopes } from '@gatehouse/config';

/** Every Web API method slack-bot's code calls (`client.<family>.<method>(`), read from the source. */
function methodsCalled(): Set<string> {
  const root = path.resolve(__dirname, '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.int-spec.ts')) files.push(full);
    }
  };
  walk(root);
  const called = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bclient\??\.([a-z]+)\.([a-zA-Z]+)\(/g)) called.add(`${match[1]}.${match[2]}`);
  }
  return called;
}

describe('the scopes the manifest asks for', () => {
  const called = methodsCalled();

  it('covers every Web API method the code calls', () => {
    expect(called.size).toBeGreaterThan(5);
    const unknown = [...called].filter((method) => !(method in SLACK_METHOD_SCOPES));
    // A new call: add the method and its scope (from its page on api.slack.com) to SLACK_METHOD_SCOPES.
    expect(unknown).toEqual([]);
  });

  it('asks for nothing the code does not call for', () => {
    const needed = new Set([...[...called].flatMap((method) => SLACK_METHOD_SCOPES[method] ?? []), ...SLACK_FEATURE_SCOPES]);
    expect(slackBotScopes()).toEqual([...needed].sort());
    // …and the table lists no method nobody calls (it would keep a scope alive).
    expect(Object.keys(SLACK_METHOD_SCOPES).filter((method) => !called.has(method))).toEqual([]);
  });
});
