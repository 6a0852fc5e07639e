import { STAMPS_PER_MS, stampAtWall } from '../recovery/hlc.js';
import { fromJsonText } from './serializer.js';

/**
 * The text envelope: how a JSON value is stored. Same information as the binary
 * envelope (envelope.ts) — the write's stamp and a payload — but as a string:
 *
 *   version 2 (written):
 *     char 0      \u0003 (a byte no JSON text and no binary envelope starts with)
 *     chars 1-16  the stamp (recovery/hlc.ts: wall ms × 1000 + counter), 16 decimal digits
 *     chars 17-   the JSON text
 *   version 1 (still read):
 *     char 0      \u0002
 *     chars 1-13  write time, ms since the epoch, 13 decimal digits; read as the stamp ms × 1000
 *     chars 14-   the JSON text
 *
 * Why a string: drivers send a string argument as is, while a Buffer argument
 * switches them to a slower path (ioredis builds and concatenates a Buffer per
 * command). For the common case, a JSON value, that is most of a cache write's
 * cost beyond the round trip. Stored, it is the UTF-8 of that string, so a
 * backend may hand it back as bytes or as a string.
 */

const MARKER_V1 = 2;
const MARKER_V2 = 3;
const DIGITS_V1 = 13;
const DIGITS_V2 = 16;
const MS_DIGITS = DIGITS_V2 - 3;

/** `stamp` must be a safe integer of at most 16 digits (every valid stamp is). */
export function encodeTextEnvelope(json: string, stamp: number): string {
  return headerFor(stamp) + json;
}

// Stamps within one millisecond share the header's millisecond part: under load
// that is most of them, and it spares each a number-to-string conversion.
let lastMs = -1;
let lastMsHeader = '';
const COUNTERS = Array.from({ length: STAMPS_PER_MS }, (_, i) => String(i).padStart(3, '0'));

function headerFor(stamp: number): string {
  if (!Number.isSafeInteger(stamp) || stamp < 0) {
    throw new RangeError(`a stamp must be a non-negative safe integer, got ${stamp}`);
  }
  const ms = Math.floor(stamp / STAMPS_PER_MS);
  if (ms !== lastMs) {
    lastMsHeader = `\u0003${String(ms).padStart(MS_DIGITS, '0')}`;
    lastMs = ms;
  }
  return lastMsHeader + COUNTERS[stamp - ms * STAMPS_PER_MS]!;
}

/** True when `first` (a char code or byte) opens a text envelope. */
export function isTextEnvelope(first: number | undefined): boolean {
  return first === MARKER_V2 || first === MARKER_V1;
}

/** Characters before the JSON text, by marker. */
function digitsFor(marker: number): number {
  return marker === MARKER_V2 ? DIGITS_V2 : DIGITS_V1;
}

/** The stamp of a text envelope, or `undefined` when the header is malformed. */
export function textEnvelopeStamp(stored: string | Uint8Array): number | undefined {
  // Two loops rather than one with a type test per digit.
  let field = 0;
  let marker: number;
  if (typeof stored === 'string') {
    marker = stored.charCodeAt(0);
    const digits = digitsFor(marker);
    if (stored.length <= digits + 1) return undefined;
    for (let i = 1; i <= digits; i++) {
      const digit = stored.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      field = field * 10 + digit;
    }
  } else {
    marker = stored[0]!;
    const digits = digitsFor(marker);
    if (stored.byteLength <= digits + 1) return undefined;
    for (let i = 1; i <= digits; i++) {
      const digit = stored[i]! - 48;
      if (digit < 0 || digit > 9) return undefined;
      field = field * 10 + digit;
    }
  }
  if (marker === MARKER_V1) return stampAtWall(field);
  return Number.isSafeInteger(field) ? field : undefined;
}

/**
 * The value in a text envelope given as a string or as its UTF-8 bytes;
 * `undefined` for a malformed header. Throws `SerializationError` for a payload
 * that is not JSON.
 */
export function textEnvelopeValue(stored: string | Uint8Array): unknown {
  const digits = headerDigits(stored);
  return digits === 0 ? undefined : payloadValue(stored, digits + 1);
}

/**
 * The read path's header check: long enough, and the stamp's first and last
 * characters are digits; answers the header's digit count, 0 when implausible.
 * Every read runs it, so it does not parse the stamp (recovery, which needs it,
 * does); a value that merely starts with the marker then fails as JSON and is
 * still no answer.
 */
function headerDigits(stored: string | Uint8Array): number {
  if (typeof stored === 'string') {
    const digits = digitsFor(stored.charCodeAt(0));
    return stored.length > digits + 1 &&
      isDigit(stored.charCodeAt(1)) &&
      isDigit(stored.charCodeAt(digits))
      ? digits
      : 0;
  }
  const digits = digitsFor(stored[0]!);
  return stored.byteLength > digits + 1 && isDigit(stored[1]!) && isDigit(stored[digits]!)
    ? digits
    : 0;
}

/** True when `stored` opens with a plausible text envelope header (see `headerDigits`). */
export function looksLikeHeader(stored: string | Uint8Array): boolean {
  return headerDigits(stored) !== 0;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Both parts of a text envelope, reading its header once; `undefined` if malformed. */
export function decodeTextEnvelope(
  stored: string | Uint8Array,
): { value: unknown; stamp: number } | undefined {
  const stamp = textEnvelopeStamp(stored);
  if (stamp === undefined) return undefined;
  const first = typeof stored === 'string' ? stored.charCodeAt(0) : stored[0]!;
  return { value: payloadValue(stored, digitsFor(first) + 1), stamp };
}

/** The JSON after a header of `headerChars` already checked. */
function payloadValue(stored: string | Uint8Array, headerChars: number): unknown {
  const text =
    typeof stored === 'string'
      ? stored.slice(headerChars)
      : Buffer.isBuffer(stored)
        ? stored.toString('utf8', headerChars)
        : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString(
            'utf8',
            headerChars,
          );
  return fromJsonText(text);
}
