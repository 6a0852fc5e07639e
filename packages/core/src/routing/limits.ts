import type { StoredValue } from '../backend.js';
import { InvalidKeyError, ValueTooLargeError } from '../errors.js';
import { keyBytes } from '../kit/keys.js';
import { storedByteLength } from '../kit/stored-value.js';
import type { Member } from './member.js';

/** Which backends a call may use, given the size of its key and value. */
export type Fits = (member: Member) => boolean;

export const FITS_ALL: Fits = () => true;

/**
 * Key and value size rules across a store's backends. A key or value too large for one
 * backend skips that backend (never a failure of it); one too large for every
 * backend is the caller's error. Most calls are decided by a length compare
 * without counting UTF-8 bytes.
 */
export class Limits {
  /** Keys of up to this many UTF-16 units fit every backend, whatever their bytes. */
  private readonly safeKeyChars: number;
  private readonly largestKeyBytes: number;
  /** Values of up to this many bytes fit every backend. */
  private readonly safeValueBytes: number;
  private readonly largestValueBytes: number;

  constructor(members: readonly Member[]) {
    const caps = members.map((m) => m.backend.capabilities);
    this.safeKeyChars = Math.floor(Math.min(...caps.map((c) => c.maxKeyBytes)) / 3);
    this.largestKeyBytes = Math.max(...caps.map((c) => c.maxKeyBytes));
    this.safeValueBytes = Math.min(...caps.map((c) => c.maxValueBytes));
    this.largestValueBytes = Math.max(...caps.map((c) => c.maxValueBytes));
  }

  /** Backends whose key limit admits `key`; an InvalidKeyError when none does. */
  key(key: string): Fits {
    if (key.length <= this.safeKeyChars) return FITS_ALL;
    return this.keyBytes(keyBytes(key));
  }

  /**
   * The rule for the key of most UTF-8 bytes among `keys`. Bytes, not UTF-16
   * units: a shorter key of multi-byte characters can be the longer one on the wire.
   */
  keys(keys: readonly string[]): Fits {
    let most = 0;
    for (const k of keys) {
      if (k.length > this.safeKeyChars) most = Math.max(most, keyBytes(k));
    }
    return most === 0 ? FITS_ALL : this.keyBytes(most);
  }

  private keyBytes(bytes: number): Fits {
    if (bytes > this.largestKeyBytes) {
      throw new InvalidKeyError(`key of ${bytes} bytes is longer than any backend accepts`);
    }
    return (m) => bytes <= m.backend.capabilities.maxKeyBytes;
  }

  /** Backends whose value limit admits `stored`; a ValueTooLargeError when none does. */
  value(stored: StoredValue): Fits {
    const quick = typeof stored === 'string' ? stored.length * 3 : stored.byteLength;
    if (quick <= this.safeValueBytes) return FITS_ALL;
    return this.valueBytes(storedByteLength(stored));
  }

  /**
   * Refuses, before it is encoded, a value known to take at least `bytes`
   * (see `ValueCodec.bytesAtLeast`) when that is more than every backend accepts.
   */
  atLeast(bytes: number): void {
    if (bytes > this.largestValueBytes) {
      throw new ValueTooLargeError(
        `value of at least ${bytes} bytes exceeds the largest any backend accepts (${this.largestValueBytes}); refused before encoding it`,
      );
    }
  }

  valueBytes(bytes: number): Fits {
    if (bytes > this.largestValueBytes) {
      throw new ValueTooLargeError(
        `value of ${bytes} bytes exceeds the largest any backend accepts (${this.largestValueBytes})`,
      );
    }
    if (bytes <= this.safeValueBytes) return FITS_ALL;
    return (m) => bytes <= m.backend.capabilities.maxValueBytes;
  }

  /** Both rules. */
  static both(a: Fits, b: Fits): Fits {
    if (a === FITS_ALL) return b;
    if (b === FITS_ALL) return a;
    return (m) => a(m) && b(m);
  }
}
