import { describe, expect, it } from 'vitest';
import { commandDeadlineMs } from '../src/loop-aware-client.js';

describe("a command's reply deadline", () => {
  it('is the command timeout for a one-key command', () => {
    expect(commandDeadlineMs({ args: ['k'] }, 300)).toBe(300);
    expect(commandDeadlineMs({ args: ['k', 'v', 'PX', 1000] }, 300)).toBe(300);
  });

  it('grows by one command timeout per 1,000 keys of a batch command', () => {
    const keys = (n: number) => ({ args: Array.from({ length: n }, (_, i) => `k${i}`) });
    expect(commandDeadlineMs(keys(999), 300)).toBe(300);
    expect(commandDeadlineMs(keys(1_000), 300)).toBe(600);
    expect(commandDeadlineMs(keys(125_000), 300)).toBe(300 * 126);
  });
});
