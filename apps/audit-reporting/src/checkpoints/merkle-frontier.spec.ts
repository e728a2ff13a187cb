import { createHash } from 'node:crypto';
import { MerkleFrontier } from './merkle-frontier';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962 §2.1 MTH, straight from its definition. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('MerkleFrontier', () => {
  const hashes = Array.from({ length: 37 }, (_, i) => sha(Buffer.from(`record ${i}`)).toString('hex'));

  it('has the root RFC 6962 defines, at every size', () => {
    const frontier = MerkleFrontier.empty();
    expect(frontier.root()).toBe(mth([]).toString('hex'));
    hashes.forEach((hash, i) => {
      frontier.add(hash);
      expect([i + 1, frontier.root()]).toEqual([i + 1, mth(hashes.slice(0, i + 1).map((h) => Buffer.from(h, 'hex'))).toString('hex')]);
    });
  });

  it('carries on from a saved frontier as if never stopped', () => {
    const whole = MerkleFrontier.empty();
    hashes.forEach((h) => whole.add(h));
    const first = MerkleFrontier.empty();
    hashes.slice(0, 21).forEach((h) => first.add(h));
    const resumed = MerkleFrontier.fromJson(JSON.parse(JSON.stringify(first.toJson())));
    hashes.slice(21).forEach((h) => resumed.add(h));
    expect(resumed.root()).toBe(whole.root());
    expect(resumed.size).toBe(37n);
  });
});
