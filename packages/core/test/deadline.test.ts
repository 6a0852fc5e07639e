import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../src/routing/deadline.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineQueue', () => {
  it('expires entries at their deadline, in order, with a single timer', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    queue.add(100, () => fired.push('a@100'));
    queue.add(100, () => fired.push('b@100'));
    queue.add(50, () => fired.push('c@50'));
    queue.add(300, () => fired.push('d@300'));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['c@50']);
    await vi.advanceTimersByTimeAsync(50);
    expect(fired).toEqual(['c@50', 'a@100', 'b@100']);
    await vi.advanceTimersByTimeAsync(200);
    expect(fired).toEqual(['c@50', 'a@100', 'b@100', 'd@300']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never calls a cancelled entry and lets its timer lapse once idle', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    const a = queue.add(100, () => fired.push('a'));
    const b = queue.add(200, () => fired.push('b'));
    a.cancel();
    a.cancel();
    await vi.advanceTimersByTimeAsync(150);
    expect(fired).toEqual([]);
    b.cancel();
    expect(queue.size).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clear() drops everything without calling it', async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    for (let i = 0; i < 5; i++) queue.add(10 * i, () => fired.push(String(i)));
    queue.clear();
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps thousands of equal budgets cheap: all expire on time', async () => {
    const queue = new DeadlineQueue();
    let fired = 0;
    const handles = Array.from({ length: 10_000 }, () => queue.add(250, () => fired++));
    for (const h of handles.slice(0, 5_000)) h.cancel();
    await vi.advanceTimersByTimeAsync(250);
    expect(fired).toBe(5_000);
  });
});
