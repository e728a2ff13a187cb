import { createHash } from 'node:crypto';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/**
 * The Merkle tree of RFC 6962 (Certificate Transparency) over the records' hashes, kept as its
 * frontier: the roots of the perfect subtrees that make up the first `size` leaves, largest first.
 * Appending is O(log n) and the frontier is saved with each checkpoint, so the next one reads
 * only the records since; the root folds the frontier from the right, as RFC 6962's MTH splits.
 */
export class MerkleFrontier {
  private constructor(
    public size: bigint,
    /** [height, hash] of each perfect subtree, largest (leftmost) first. */
    private readonly subtrees: [number, Buffer][],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0n, []);
  }

  static fromJson(saved: { size: string; subtrees: [number, string][] }): MerkleFrontier {
    return new MerkleFrontier(BigInt(saved.size), saved.subtrees.map(([height, hex]) => [height, Buffer.from(hex, 'hex')]));
  }

  toJson(): { size: string; subtrees: [number, string][] } {
    return { size: this.size.toString(), subtrees: this.subtrees.map(([height, hash]) => [height, hash.toString('hex')]) };
  }

  /** Appends one leaf: a record's hash (hex). */
  add(recordHash: string): void {
    let node: [number, Buffer] = [0, sha256(LEAF, Buffer.from(recordHash, 'hex'))];
    for (let last = this.subtrees.at(-1); last && last[0] === node[0]; last = this.subtrees.at(-1)) {
      this.subtrees.pop();
      node = [node[0] + 1, sha256(NODE, last[1], node[1])];
    }
    this.subtrees.push(node);
    this.size += 1n;
  }

  /** The tree's root (hex); the hash of nothing for an empty tree, as RFC 6962 says. */
  root(): string {
    if (this.subtrees.length === 0) return sha256().toString('hex');
    let hash = (this.subtrees.at(-1) as [number, Buffer])[1];
    for (let i = this.subtrees.length - 2; i >= 0; i--) hash = sha256(NODE, (this.subtrees[i] as [number, Buffer])[1], hash);
    return hash.toString('hex');
  }
}
