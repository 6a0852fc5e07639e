import { randomBytes } from 'node:crypto';
import { keyBytes, type StoredValue, storedBytes } from '@resilient-store/core';

/**
 * Test data and key helpers. Every key a test writes starts with a prefix unique to
 * the process run and the test, so suites running in parallel against one shared
 * server never see each other's keys.
 */

const RUN_ID = `${process.pid}-${randomBytes(4).toString('hex')}`;
let sequence = 0;

/** A fresh prefix such as `rs-conformance:1234-ab12cd34:7:`. */
export function uniquePrefix(): string {
  sequence += 1;
  return `rs-conformance:${RUN_ID}:${sequence}:`;
}

/** A Buffer as a Uint8Array comparison-friendly copy. */
export function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** Every byte value 0..255, then the same in reverse, so order and each value matter. */
export function allByteValues(): Uint8Array {
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    bytes[i] = i;
    bytes[511 - i] = i;
  }
  return bytes;
}

/** Random, incompressible bytes of the given length. */
export function randomValue(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

/**
 * True when `actual` holds exactly the bytes of `expected`. A string stands for
 * its UTF-8 bytes, as in the Backend contract, so either side may be one.
 */
export function sameBytes(actual: StoredValue | null | undefined, expected: StoredValue): boolean {
  if (actual === undefined || actual === null) return false;
  return storedBytes(actual).equals(storedBytes(expected));
}

/**
 * A key of exactly `bytes` UTF-8 bytes that starts with `prefix`, padded with `fill`
 * (a one- or multi-byte character) and topped up with ASCII to land on the exact size.
 */
/** A backend's answer for a miss: `undefined`, or `null` (the contract allows both). */
export function isMiss(answer: unknown): boolean {
  return answer === undefined || answer === null;
}

export function keyOfBytes(prefix: string, bytes: number, fill = 'k'): string {
  const fillBytes = keyBytes(fill);
  const room = bytes - keyBytes(prefix);
  if (room < 0) throw new RangeError(`prefix is longer than ${bytes} bytes`);
  const fills = Math.floor(room / fillBytes);
  const key = prefix + fill.repeat(fills) + 'a'.repeat(room - fills * fillBytes);
  if (keyBytes(key) !== bytes) throw new Error('keyOfBytes miscounted');
  return key;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it answers true or `timeoutMs` passed;
 * resolves with whether it ever did. Polling keeps expiry tests close to the real TTL
 * instead of sleeping for a worst case.
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
