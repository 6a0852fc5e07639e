import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidTtlError } from '../src/errors.js';
import { applyJitter, parseTtl, validateJitter } from '../src/values/ttl.js';

describe('parseTtl', () => {
  it('answers undefined when no TTL is given', () => {
    expect(parseTtl(undefined)).toBeUndefined();
  });

  it('takes numbers as milliseconds, rounding up to whole ms', () => {
    expect(parseTtl(1500)).toBe(1500);
    expect(parseTtl(0.2)).toBe(1);
    expect(parseTtl(10.01)).toBe(11);
  });

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    [' 2 m ', 120_000],
    ['250', 250],
    ['0.4ms', 1],
  ])('parses %j as %d ms', (input, expected) => {
    expect(parseTtl(input)).toBe(expected);
  });

  it.each([
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '',
    '0',
    '0s',
    '-5s',
    '5 minutes',
    '5M',
    '1e3',
    'soon',
    '1h30m',
    '99999999999999999999d',
  ])('rejects %j with InvalidTtlError', (input) => {
    expect(() => parseTtl(input)).toThrow(InvalidTtlError);
  });

  it('rejects values that are neither number nor string', () => {
    expect(() => parseTtl(null as unknown as number)).toThrow(InvalidTtlError);
    expect(() => parseTtl({} as unknown as number)).toThrow(InvalidTtlError);
  });

  it('names the field and the input, without echoing a huge string', () => {
    expect(() => parseTtl('forever', 'defaultTtl')).toThrow(/defaultTtl: "forever"/);
    const huge = 'x'.repeat(100_000);
    try {
      parseTtl(huge);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTtlError);
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('applyJitter', () => {
  it('leaves the TTL alone without jitter', () => {
    expect(applyJitter(1000, 0, () => 0.99)).toBe(1000);
  });

  it('moves the TTL by at most the jitter fraction, both ways', () => {
    expect(applyJitter(1000, 0.1, () => 0)).toBe(900);
    expect(applyJitter(1000, 0.1, () => 0.5)).toBe(1000);
    expect(applyJitter(1000, 0.1, () => 0.999_999)).toBe(1100);
  });

  it('answers whole milliseconds of at least 1', () => {
    expect(applyJitter(1, 1, () => 0)).toBe(1);
    expect(applyJitter(3, 0.5, () => 0.3)).toBe(2);
    expect(Number.isInteger(applyJitter(1234, 0.37, () => 0.123))).toBe(true);
  });
});

describe('validateJitter', () => {
  it('accepts 0..1 and treats undefined as 0', () => {
    expect(validateJitter(undefined)).toBe(0);
    expect(validateJitter(0)).toBe(0);
    expect(validateJitter(0.25)).toBe(0.25);
    expect(validateJitter(1)).toBe(1);
  });

  it.each([-0.1, 1.01, Number.NaN, '0.1', null])('rejects %j with ConfigError on jitter', (bad) => {
    try {
      validateJitter(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('jitter');
    }
  });
});
