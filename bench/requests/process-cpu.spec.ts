import { cpuMeter, pidsMatching, processCpuMs } from './process-cpu';

describe('process CPU accounting', () => {
  it('reads a process’s CPU time from /proc and counts what a group used over a window', () => {
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(2 ** 30)).toBe(0);
    const meter = cpuMeter({ self: () => [process.pid], gone: () => [2 ** 30] });
    let spin = 0;
    for (let i = 0; i < 3e7; i++) spin += i % 7;
    const used = meter.stop();
    expect(spin).toBeGreaterThan(0);
    expect(used['self']).toBeGreaterThan(0);
    expect(used['gone']).toBe(0);
    expect(pidsMatching(String(process.argv[1]))).toContain(process.pid);
  });
});
