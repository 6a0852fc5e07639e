import type { StoredValue } from '../backend.js';
import { SerializationError } from '../errors.js';
import type { StoreEmitter } from '../events.js';
import type { HybridClock } from '../recovery/hlc.js';
import { encodeValue, isEnvelope, readValue, stampOf, UNREADABLE } from './envelope.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { encodedBytesAtLeast } from './size-bound.js';
import { v8Serializer } from './v8-serializer.js';

/**
 * A store's values on their way to a backend and back: the caller's value in an
 * envelope (its stamp and kind), serialized by the store's serializer.
 * Routing hands every answer to `decode` on its way up; nothing else decodes.
 * Every value carries a stamp of the store's hybrid logical clock, which every
 * value read advances, so a write is ordered after every value read before it.
 */
export class ValueCodec {
  /** True for the built-in serializers, whose output is known to be no smaller than the strings in a value. */
  private readonly boundable: boolean;

  constructor(
    private readonly serializer: Serializer,
    private readonly events: StoreEmitter,
    private readonly clock: HybridClock,
  ) {
    this.boundable = serializer === jsonSerializer || serializer === v8Serializer;
  }

  /**
   * A lower bound of `value`'s stored size, known without encoding it (see
   * size-bound.ts): what lets a huge value be refused before it is serialized.
   */
  bytesAtLeast(value: unknown): number {
    return encodedBytesAtLeast(value, this.boundable);
  }

  /**
   * What a later read of `stored` answers (the value after its trip through the
   * serializer), without touching the clock or reporting: `getOrSet` answers a
   * miss with it, so a hit and a miss give the caller the same shape.
   */
  roundTrip(stored: StoredValue): unknown {
    const value = readValue(stored, this.serializer);
    if (value === UNREADABLE) {
      throw new SerializationError('the serializer cannot read back what it wrote');
    }
    // Raw bytes come back as a view of `stored`, which is on its way to a backend.
    return Buffer.isBuffer(value) && typeof stored !== 'string' ? Buffer.from(value) : value;
  }

  /**
   * The stored form of `value`, stamped at wall time `now` (ms; the caller has read
   * the clock already); throws `SerializationError` for what cannot be stored.
   */
  encode(value: unknown, now: number): StoredValue {
    return encodeValue(value, this.serializer, this.clock.at(now));
  }

  /**
   * The caller's value; an unreadable entry is a miss, reported as an `error`
   * event; a tombstone (a replayed delete) is a miss.
   */
  decode(stored: StoredValue): unknown {
    const stamp = stampOf(stored);
    if (stamp !== undefined) this.clock.observe(stamp);
    const value = readValue(stored, this.serializer);
    if (value === UNREADABLE) {
      this.events.emit('error', {
        backend: null,
        operation: 'get',
        error: new Error('unreadable entry treated as a miss'),
      });
      return undefined;
    }
    return value;
  }

  /** True when `stored` is one of the store's entries; the payload is not decoded. */
  holdsEntry(stored: StoredValue): boolean {
    return isEnvelope(stored);
  }
}
