import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidKeyError } from '../src/errors.js';
import { fitsBackend, keyBytes, validateKey } from '../src/kit/keys.js';
import { namespacedKey, validateNamespace } from '../src/values/keys.js';

const LONE_HIGH = '\ud83d';
const LONE_LOW = '\ude00';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('validateKey', () => {
  it('accepts non-empty well-formed strings', () => {
    for (const key of ['a', 'with space', 'new\nline', '__proto__', 'constructor', '😀', 'ü:1']) {
      expect(() => validateKey(key)).not.toThrow();
    }
  });

  it.each([
    ['an empty string', ''],
    ['a number', 1],
    ['null', null],
    ['undefined', undefined],
    ['an object', { key: 'a' }],
    ['a lone high surrogate', `a${LONE_HIGH}b`],
    ['a lone low surrogate', `${LONE_LOW}b`],
    ['a trailing high surrogate', `ab${LONE_HIGH}`],
  ])('rejects %s with InvalidKeyError', (_label, key) => {
    expect(thrown(() => validateKey(key))).toBeInstanceOf(InvalidKeyError);
  });

  it('does not echo a huge key in its message', () => {
    const error = thrown(() => validateKey(`${'k'.repeat(1_000_000)}${LONE_HIGH}`));
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect((error as Error).message.length).toBeLessThan(200);
    expect((error as Error).message).toContain('1000001 chars');
  });
});

describe('keyBytes', () => {
  it('matches Buffer.byteLength for every kind of character, short and long', () => {
    const samples = [
      '',
      'ascii',
      'é',
      '€',
      '😀',
      'a😀é€b',
      `x${LONE_HIGH}`,
      `${LONE_LOW}y`,
      '\u007f\u0080\u07ff\u0800',
    ];
    for (const sample of samples) {
      expect(keyBytes(sample)).toBe(Buffer.byteLength(sample, 'utf8'));
      const long = sample.repeat(100);
      expect(keyBytes(long)).toBe(Buffer.byteLength(long, 'utf8'));
    }
  });
});

describe('fitsBackend', () => {
  it('compares UTF-8 bytes, not characters, with the limit', () => {
    expect(fitsBackend('a'.repeat(250), 250)).toBe(true);
    expect(fitsBackend('a'.repeat(251), 250)).toBe(false);
    expect(fitsBackend('é'.repeat(125), 250)).toBe(true);
    expect(fitsBackend('é'.repeat(126), 250)).toBe(false);
    expect(fitsBackend('😀'.repeat(62), 250)).toBe(true);
    expect(fitsBackend(`${'😀'.repeat(62)}ab`, 250)).toBe(true);
    expect(fitsBackend(`${'😀'.repeat(62)}abc`, 250)).toBe(false);
  });
});

describe('namespacedKey', () => {
  it('joins namespace and key with a colon, or keeps the key', () => {
    expect(namespacedKey('app', 'user:1')).toBe('app:user:1');
    expect(namespacedKey(undefined, 'user:1')).toBe('user:1');
  });
});

describe('validateNamespace', () => {
  it('accepts absence and non-empty strings', () => {
    expect(validateNamespace(undefined)).toBeUndefined();
    expect(validateNamespace('svc:v2')).toBe('svc:v2');
  });

  it.each([
    ['', 'empty'],
    [3, 'a number'],
    [`ns${LONE_HIGH}`, 'a lone surrogate'],
  ])('rejects %j (%s) with ConfigError on namespace', (bad, _label) => {
    const error = thrown(() => validateNamespace(bad));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('namespace');
  });
});
