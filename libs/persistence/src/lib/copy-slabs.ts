/** The size of a slab: rows of a few kilobytes share one. */
export const SLAB = 64 * 1024;

/**
 * The slabs copyOutBinary copies rows into, handed back by a reader once it is done with the
 * rows, so a process reading page after page copies into memory it already has. Fresh slabs are
 * fresh memory, faulted in page by page, and freed only when the garbage collector gets to them
 * (on audit drains, copying into fresh slabs was a quarter of the reader's CPU; into slabs given
 * back, a tenth of that). A slab given back is zeroed first: a view kept past its hand-back reads
 * zeros, never another page's bytes.
 */
export class CopySlabs {
  private readonly spare: ArrayBuffer[] = [];
  /** Every slab made here (views into anything else are not taken back). */
  private readonly made = new WeakSet<ArrayBufferLike>();
  /** Those in `spare`: a slab given back twice is taken once. */
  private readonly given = new WeakSet<ArrayBufferLike>();

  /** `keep`: slabs kept for reuse at most (the rest are left to the garbage collector). */
  constructor(private readonly keep = 256) {}

  take(): Buffer {
    const spare = this.spare.pop();
    if (spare) {
      this.given.delete(spare);
      return Buffer.from(spare);
    }
    const slab = Buffer.allocUnsafeSlow(SLAB);
    this.made.add(slab.buffer);
    return slab;
  }

  /**
   * Takes back the slabs `views` are views into (fields of rows read with these slabs; anything
   * else is ignored). The caller promises that nothing reads those rows again: every row in a
   * slab goes with it.
   */
  giveBack(views: Iterable<unknown>): void {
    for (const view of views) {
      if (!Buffer.isBuffer(view)) continue;
      const slab = view.buffer;
      if (!this.made.has(slab) || this.given.has(slab) || this.spare.length >= this.keep) continue;
      new Uint8Array(slab).fill(0);
      this.given.add(slab);
      this.spare.push(slab as ArrayBuffer);
    }
  }

  /** Slabs ready to be taken (for tests and metrics). */
  get spareCount(): number {
    return this.spare.length;
  }
}
