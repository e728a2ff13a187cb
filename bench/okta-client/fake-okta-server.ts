// The fake Okta in a process of its own, so the benchmark's CPU figures are the client's alone.
// Prints one JSON line (url, token) when it is ready; lives until its parent closes stdin.
import { FakeOkta } from '@gatehouse/testing';

async function main(): Promise<void> {
  const users = Number(process.argv[2] ?? '10000');
  const okta = await new FakeOkta().start();
  okta.addGroup('00gbenchgroup0000001');
  for (let i = 0; i < users; i++) okta.addUser(`user${i}@example.com`);
  process.stdout.write(`${JSON.stringify({ url: okta.url, token: okta.apiToken })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void okta.stop().then(() => process.exit(0)));
}

void main();
