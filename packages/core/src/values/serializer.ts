import sjson from 'secure-json-parse';
import { SerializationError } from '../errors.js';

/**
 * Turns values into bytes and back. The store wraps the serializer's output in an
 * envelope (see envelope.ts); a serializer sees only the caller's value.
 */
export interface Serializer {
  /** Throws `SerializationError` for values it cannot encode. */
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
}

/*
 * Decoding strips `__proto__` keys and `constructor.prototype` payloads so that an
 * entry written by another process cannot pollute prototypes here. secure-json-parse
 * already runs `JSON.parse` first and only walks the result when a cheap regex finds
 * one of those names in the text, so clean values pay one regex test and no walk.
 */
const PARSE_OPTIONS = { protoAction: 'remove', constructorAction: 'remove' } as const;

function asBuffer(bytes: Uint8Array): Buffer {
  // A view, not a copy: the bytes are only read to build a string.
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Why a top-level value has no JSON form; `undefined` when it has one. */
function unencodableReason(value: unknown): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return 'undefined has no JSON representation';
    case 'function':
      return 'a function cannot be serialized';
    case 'symbol':
      return 'a symbol cannot be serialized';
    case 'bigint':
      return 'a BigInt cannot be serialized';
    default:
      return undefined;
  }
}

/**
 * The JSON text of a value, following JSON's rules below the top level: a `Date`
 * becomes its ISO string, `Map`/`Set` become `{}`, `undefined` and functions inside
 * objects are dropped. What JSON cannot express at all (BigInt anywhere, cycles, a
 * top-level `undefined`/function/symbol) throws `SerializationError`, so the store
 * rejects the write before any backend is touched.
 */
export function toJsonText(value: unknown): string {
  const reason = unencodableReason(value);
  if (reason !== undefined) throw new SerializationError(reason);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    // BigInt nested in an object, a cycle, or a throwing toJSON.
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SerializationError(`value cannot be serialized to JSON: ${detail}`, { cause });
  }
  // A toJSON() that answers undefined leaves nothing to store.
  if (text === undefined) throw new SerializationError('value serialized to nothing');
  return text;
}

/**
 * Parses stored JSON text without letting it touch any prototype. What
 * secure-json-parse removes is a `__proto__` key or a `constructor.prototype`
 * payload; both contain "proto". Text without "proto" and without a `\\u`
 * escape (which could spell it) goes straight to JSON.parse, anything else
 * through secure-json-parse.
 */
export function fromJsonText(text: string): unknown {
  try {
    if (text.indexOf('proto') === -1 && text.indexOf('\\u') === -1) return JSON.parse(text);
    return sjson.parse(text, null, PARSE_OPTIONS);
  } catch (cause) {
    throw new SerializationError('stored bytes are not valid JSON', { cause });
  }
}

/** JSON in UTF-8; see `toJsonText` for what can be stored. */
export const jsonSerializer: Serializer = {
  serialize(value: unknown): Uint8Array {
    return Buffer.from(toJsonText(value), 'utf8');
  },

  deserialize(bytes: Uint8Array): unknown {
    return fromJsonText(asBuffer(bytes).toString('utf8'));
  },
};

/** The serializers `createStore` and `new ResilientStore` know by name. */
export type SerializerName = 'json' | 'v8';
