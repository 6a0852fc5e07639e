import type { StoredValue } from '../backend.js';
import type { StoreEmitter } from '../events.js';
import { encodeValue, isEnvelope, readValue, UNREADABLE } from './envelope.js';
import type { Serializer } from './serializer.js';

/**
 * A store's values on their way to a backend and back: the caller's value in an
 * envelope (its write time and kind), serialized by the store's serializer.
 * Routing hands every answer to `decode` on its way up; nothing else decodes.
 */
export class ValueCodec {
  constructor(
    private readonly serializer: Serializer,
    private readonly events: StoreEmitter,
  ) {}

  /** The stored form of `value`; throws `SerializationError` for what cannot be stored. */
  encode(value: unknown, writtenAt: number): StoredValue {
    return encodeValue(value, this.serializer, writtenAt);
  }

  /** The caller's value; an unreadable entry is a miss, reported as an `error` event. */
  decode(stored: StoredValue): unknown {
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
