import { ConfigError, type ResilientStore } from '@resilient-store/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AlreadyInstrumentedError,
  instrument,
  METRIC,
  OPERATIONS,
  OUTCOMES,
  REPLAY_RESULTS,
} from '../src/index.js';
import { memoryStore, sample, samples } from './helpers.js';

const stores: ResilientStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function store(): ResilientStore {
  const created = memoryStore();
  stores.push(created);
  return created;
}

describe('instrument()', () => {
  it('counts hits, misses and writes by backend and operation, and times them', async () => {
    const registry = new Registry();
    const s = store();
    instrument(s, { registry, name: 'sessions' });
    await s.set('a', 1);
    await s.get('a');
    await s.get('missing');
    await s.get('missing');
    await s.getMany(['a']);
    await s.delete('a');

    const count = (operation: string, outcome: string) =>
      sample(registry, METRIC.operations, {
        store: 'sessions',
        backend: 'primary',
        operation,
        outcome,
      });
    expect(await count('set', 'ok')).toBe(1);
    expect(await count('get', 'hit')).toBe(1);
    expect(await count('get', 'miss')).toBe(2);
    expect(await count('getMany', 'ok')).toBe(1);
    expect(await count('delete', 'ok')).toBe(1);
    expect(await count('get', 'error')).toBe(0);
    expect(
      await sample(registry, METRIC.operations, {
        backend: 'fallback',
        operation: 'get',
        outcome: 'hit',
      }),
    ).toBe(0);

    const durations = await samples(registry, METRIC.operationDuration);
    const getCount = durations.find(
      (d) =>
        d.metricName.endsWith('_count') &&
        d.labels.backend === 'primary' &&
        d.labels.operation === 'get',
    );
    expect(getCount?.value).toBe(3);
    // The text a scrape reads holds the same series.
    expect(await registry.metrics()).toContain(
      'resilient_store_operation_duration_seconds_count{store="sessions",backend="primary",operation="get"} 3\n',
    );
    expect(await registry.metrics()).toMatch(
      /resilient_store_operation_duration_seconds_bucket\{store="sessions",backend="primary",operation="get",le="\+Inf"\} 3\n/,
    );
    const buckets = durations.filter(
      (d) =>
        d.metricName.endsWith('_bucket') &&
        d.labels.backend === 'primary' &&
        d.labels.operation === 'get',
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([
      0.0001,
      0.00025,
      0.0005,
      0.001,
      0.0025,
      0.005,
      0.01,
      0.025,
      0.05,
      0.1,
      0.25,
      0.5,
      1,
      '+Inf',
    ]);
  });

  it('reports the serving backend, availability and closed breakers from the start', async () => {
    const registry = new Registry();
    const s = store();
    instrument(s, { registry, name: 'app' });
    expect(await sample(registry, METRIC.servingBackend, { backend: 'primary' })).toBe(1);
    expect(await sample(registry, METRIC.servingBackend, { backend: 'fallback' })).toBe(0);
    expect(await sample(registry, METRIC.backendAvailable, { backend: 'fallback' })).toBe(1);
    expect(
      await sample(registry, METRIC.breakerState, { backend: 'primary', state: 'closed' }),
    ).toBe(1);
    expect(await sample(registry, METRIC.breakerState, { backend: 'primary', state: 'open' })).toBe(
      0,
    );
    expect(await sample(registry, METRIC.servingLastResort, { store: 'app' })).toBe(0);
    // Every failover this chain can report exists at 0, so increase() sees the first one.
    expect(await sample(registry, METRIC.failovers, { from: 'primary', to: 'fallback' })).toBe(0);
    expect(await sample(registry, METRIC.failovers, { from: 'fallback', to: 'none' })).toBe(0);
  });

  it('keeps two stores in one registry apart by their store label', async () => {
    const registry = new Registry();
    const first = store();
    const second = store();
    instrument(first, { registry, name: 'first' });
    instrument(second, { registry, name: 'second' });
    await first.set('k', 'v');
    await second.get('k');
    const ops = (name: string, operation: string, outcome: string) =>
      sample(registry, METRIC.operations, { store: name, backend: 'primary', operation, outcome });
    expect(await ops('first', 'set', 'ok')).toBe(1);
    expect(await ops('second', 'set', 'ok')).toBe(0);
    expect(await ops('second', 'get', 'miss')).toBe(1);
    expect(await ops('first', 'get', 'miss')).toBe(0);
  });

  it('refuses a second instrument() of one store, and a name already taken in the registry', async () => {
    const registry = new Registry();
    const s = store();
    instrument(s, { registry, name: 'one' });
    expect(() => instrument(s, { registry: new Registry(), name: 'two' })).toThrow(
      AlreadyInstrumentedError,
    );
    expect(() => instrument(s, { registry, name: 'two' })).toThrow(/already instrumented as "one"/);
    expect(() => instrument(store(), { registry, name: 'one' })).toThrow(
      /a store named "one" is already instrumented in this registry/,
    );
  });

  it('refuses a bad name or bad buckets with a ConfigError naming the option', () => {
    const registry = new Registry();
    for (const name of ['', 'has space', 'x'.repeat(65), 'quote"']) {
      expect(() => instrument(store(), { registry, name })).toThrow(ConfigError);
    }
    for (const buckets of [[], [0.1, 0.05], [0, 1], [Number.POSITIVE_INFINITY]]) {
      const error = (() => {
        try {
          instrument(store(), { registry, name: 'b', buckets });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('buckets');
    }
    instrument(store(), { registry, name: 'first', buckets: [0.001, 0.01] });
    expect(() => instrument(store(), { registry, name: 'second', buckets: [0.001, 0.1] })).toThrow(
      /same buckets/,
    );
    // Nothing was left registered by the refused calls.
    expect(() =>
      instrument(store(), { registry, name: 'second', buckets: [0.001, 0.01] }),
    ).not.toThrow();
  });

  it('stops updating when the store is closed, keeping the last values', async () => {
    const registry = new Registry();
    const s = store();
    instrument(s, { registry, name: 'closing' });
    await s.set('k', 'v');
    const before = await registry.metrics();
    await s.close();
    await expect(s.get('k')).rejects.toThrow();
    expect(await registry.metrics()).toBe(before);
  });

  it('close() of the binding removes its series and frees the store to be instrumented again', async () => {
    const registry = new Registry();
    const s = store();
    const metrics = instrument(s, { registry, name: 'bound' });
    await s.get('k');
    metrics.close();
    metrics.close();
    await s.get('k');
    expect(await registry.metrics()).not.toContain('store="bound"');
    instrument(s, { registry, name: 'bound' });
    await s.get('k');
    expect(
      await sample(registry, METRIC.operations, {
        store: 'bound',
        operation: 'get',
        outcome: 'miss',
      }),
    ).toBe(1);
  });

  it('puts no key or value in a label: every label value is from a documented set or a backend name', async () => {
    const registry = new Registry();
    const s = store();
    instrument(s, { registry, name: 'labels' });
    await s.set('user:42:secret-key', { token: 'secret-value' });
    await s.get('user:42:secret-key');
    const text = await registry.metrics();
    expect(text).not.toMatch(/secret/);
    const allowed: Record<string, readonly string[]> = {
      store: ['labels'],
      backend: ['primary', 'fallback', 'none'],
      from: ['primary', 'fallback'],
      to: ['primary', 'fallback', 'none'],
      operation: OPERATIONS,
      outcome: OUTCOMES,
      state: ['closed', 'open', 'half_open'],
      result: REPLAY_RESULTS,
    };
    for (const name of Object.values(METRIC)) {
      for (const { labels } of await samples(registry, name)) {
        for (const [label, value] of Object.entries(labels)) {
          if (label === 'le') continue;
          expect(allowed[label], `label ${label} of ${name}`).toContain(String(value));
        }
      }
    }
  });
});
