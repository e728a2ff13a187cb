import { CopySlabs, SLAB } from './copy-slabs';

describe('CopySlabs', () => {
  it('hands a slab given back out again, zeroed', () => {
    const slabs = new CopySlabs();
    const slab = slabs.take();
    expect(slab.length).toBe(SLAB);
    slab.fill(7);
    const view = slab.subarray(100, 200);
    slabs.giveBack([view, slab.subarray(300, 400)]);
    expect(slabs.spareCount).toBe(1);
    expect(view.every((byte) => byte === 0)).toBe(true);
    const again = slabs.take();
    expect(again.buffer).toBe(slab.buffer);
    expect(slabs.spareCount).toBe(0);
  });

  it('takes a slab given back twice only once, so two readers never share it', () => {
    const slabs = new CopySlabs();
    const slab = slabs.take();
    slabs.giveBack([slab.subarray(0, 10)]);
    slabs.giveBack([slab.subarray(10, 20)]);
    expect(slabs.spareCount).toBe(1);
    const [a, b] = [slabs.take(), slabs.take()];
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('ignores what it did not make, and strings', () => {
    const slabs = new CopySlabs();
    const foreign = Buffer.allocUnsafeSlow(SLAB).fill(1);
    slabs.giveBack([foreign, Buffer.from('pooled'), 'a line', null]);
    expect(slabs.spareCount).toBe(0);
    expect(foreign[0]).toBe(1);
  });

  it('keeps at most as many slabs as it is told to', () => {
    const slabs = new CopySlabs(2);
    const taken = [slabs.take(), slabs.take(), slabs.take()];
    slabs.giveBack(taken);
    expect(slabs.spareCount).toBe(2);
  });
});
