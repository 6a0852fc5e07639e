import { deserialize, serialize } from 'node:v8';
import { SerializationError } from '../errors.js';
import type { Serializer } from './serializer.js';

/**
 * Node's structured serialization (`node:v8`, the structured clone format): keeps
 * what JSON loses — `Map`, `Set`, `Date`, `RegExp`, `BigInt`, `NaN`, `±Infinity`,
 * `-0`, `undefined` inside objects and arrays, sparse arrays, typed arrays, `Error`
 * (name, message, stack, cause) and cycles. A class instance comes back as a
 * plain object (its prototype is not stored); functions and symbols cannot be
 * stored (`SerializationError`).
 *
 * Trust: `v8.deserialize` is built for data this process's own kind wrote, not
 * for hostile bytes. It builds no prototype chain from the data (no prototype
 * pollution: a `__proto__` key is an own property), but crafted bytes can
 * request large allocations. Use it only where every process that can write the
 * cache is trusted; anyone who can write to the backend can make readers
 * allocate. Entries another Node major version cannot read are treated as a miss.
 */
export const v8Serializer: Serializer = {
  serialize(value: unknown): Uint8Array {
    // undefined is how the store says "miss": it cannot be a stored value.
    if (value === undefined) throw new SerializationError('undefined cannot be stored');
    try {
      return serialize(value);
    } catch (cause) {
      // A function, a symbol, a host object V8 cannot clone.
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new SerializationError(`value cannot be serialized: ${detail}`, { cause });
    }
  },

  deserialize(bytes: Uint8Array): unknown {
    try {
      return deserialize(bytes);
    } catch (cause) {
      throw new SerializationError('stored bytes are not a v8-serialized value', { cause });
    }
  },
};
