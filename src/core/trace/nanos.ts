/**
 * Nanosecond timestamps (about 1.7e18) exceed 2^53, so JSON numbers lose precision when read by
 * JSON.parse. The engine keeps them as decimal strings; these helpers accept every spelling
 * producers use and read JSON text without losing digits.
 */

/** Converts a nanosecond time given as decimal string, number, bigint or Long-like to a decimal string. */
export function toNanos(value: unknown, where: string): string {
  // Already canonical (what the store writes): BigInt would give back the same digits.
  if (typeof value === 'string' && /^[1-9]\d*$/.test(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return BigInt(value.trim()).toString();
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value)).toString();
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  if (isLongLike(value)) return value.toString();
  throw new Error(`${where}: expected nanoseconds since the epoch as a decimal string or number, got ${JSON.stringify(value) ?? typeof value}`);
}

/** protobufjs decodes (fixed)64-bit integers as Long objects. */
interface LongLike {
  low: number;
  high: number;
  toString(): string;
}

function isLongLike(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && 'low' in value && 'high' in value;
}

// Keys whose values are nanosecond times in OTLP JSON and MLflow JSON (v2 and v3).
const NANO_KEYS = [
  'startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano',
  'start_time_unix_nano', 'end_time_unix_nano', 'time_unix_nano',
  'start_time', 'end_time', 'timestamp',
];
/** Bare integers this long may exceed 2^53 (JSON.parse would round them); shorter ones never do. */
export const LONG_INTEGER_DIGITS = 16;
// A key in quotes, then a bare integer of 16+ digits (only those can exceed 2^53). Inside a JSON
// string the quotes around a key would be escaped (\"), so text inside string values never matches.
const BIG_NANO_LITERAL = new RegExp(`("(?:${NANO_KEYS.join('|')})"\\s*:\\s*)(\\d{${LONG_INTEGER_DIGITS},})(?=\\s*[,}\\]])`, 'g');

/**
 * JSON.parse that keeps large nanosecond integers exact by quoting them before parsing.
 * `longIntegers: false` says the caller knows the text has no run of LONG_INTEGER_DIGITS digits
 * outside its strings (the outline scanner sees every such byte): then there is nothing to quote,
 * and the regex pass over the whole text is skipped.
 */
export function parseJsonKeepingNanos(text: string, longIntegers = true): unknown {
  return JSON.parse(longIntegers ? text.replace(BIG_NANO_LITERAL, '$1"$2"') : text);
}
