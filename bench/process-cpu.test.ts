import { describe, expect, it } from 'vitest';
import { peakRssMb, serverNodeFlags } from './process-cpu.js';

describe('bench process helpers', () => {
  it("gives the benches' servers the Node.js flags npm start gives the server: a young generation large enough for a SCIM page (decision 049)", () => {
    const flags = serverNodeFlags();
    const semi = flags.find((f) => f.startsWith('--max-semi-space-size='));
    expect(semi, `package.json's start script sets --max-semi-space-size: ${flags.join(' ')}`).toBeDefined();
    expect(Number(semi!.split('=')[1])).toBeGreaterThanOrEqual(32);
    expect(flags.every((f) => f.startsWith('--'))).toBe(true);
  });

  it('reads a live process\'s peak resident memory and nothing for a gone one', () => {
    const own = peakRssMb(process.pid);
    expect(own).toBeGreaterThan(10);
    expect(own).toBeGreaterThanOrEqual(Math.floor(process.memoryUsage().rss / 2 ** 20) - 1);
    expect(peakRssMb(2 ** 22 + 7)).toBeUndefined();
  });
});
