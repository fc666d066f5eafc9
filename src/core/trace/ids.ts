/**
 * Trace and span ids arrive in many spellings: OTLP JSON uses hex (exporters differ in case),
 * protobuf JSON mapping and MLflow 3 use base64 of the raw bytes, MLflow 2 prefixes hex with
 * "0x", and protobuf gives raw bytes. The engine keeps one form: lowercase hex.
 */

export const SPAN_ID_BYTES = 8;
export const TRACE_ID_BYTES = 16;
/**
 * Some tracers (older MLflow, hand-rolled exporters) use 4-byte ids; they are widened with
 * leading zeros, which is how OpenTelemetry itself widens 64-bit trace ids.
 */
const SHORT_ID_BYTES = 4;

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Normalizes an id given as hex (any case, optional 0x), base64 (standard or url-safe) or
 * bytes to lowercase hex. Returns null for an absent or all-zero id (OTLP's "no parent").
 * `where` names the field in the error so a user can find the bad value.
 */
export function normalizeId(value: unknown, byteLength: number, where: string): string | null {
  // protobufjs leaves an absent bytes field as an empty plain array.
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return null;
  let hex: string | undefined;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return null;
    if (value.length === byteLength || value.length === SHORT_ID_BYTES) {
      hex = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex').padStart(byteLength * 2, '0');
    }
  } else if (typeof value === 'string') {
    hex = textIdToHex(value.trim(), byteLength);
  }
  if (hex === undefined) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new Error(`${where}: expected a ${byteLength}-byte (or 4-byte) id as hex (${byteLength * 2} digits) or base64, got ${shown}`);
  }
  return /^0+$/.test(hex) ? null : hex;
}

/** Like normalizeId, but the id is mandatory. */
export function requireId(value: unknown, byteLength: number, where: string): string {
  const id = normalizeId(value, byteLength, where);
  if (id === null) throw new Error(`${where}: missing id (expected ${byteLength * 2} hex digits or base64)`);
  return id;
}

function textIdToHex(text: string, byteLength: number): string | undefined {
  const prefixed = /^0x/i.test(text);
  const digits = prefixed ? text.slice(2) : text;
  // Length tells hex from base64 apart: 8 bytes are 16 hex digits but 12 base64 chars.
  if (HEX.test(digits) && (digits.length === byteLength * 2 || (prefixed && digits.length < byteLength * 2))) {
    return digits.toLowerCase().padStart(byteLength * 2, '0');
  }
  // Base64 may itself start with "0x"/"0X" (1 id in ~2,000): when hex did not fit, try base64.
  if (BASE64.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === byteLength) return bytes.toString('hex');
    if (bytes.length === SHORT_ID_BYTES && !HEX.test(text)) return bytes.toString('hex').padStart(byteLength * 2, '0');
  }
  if (HEX.test(digits) && digits.length === SHORT_ID_BYTES * 2) return digits.toLowerCase().padStart(byteLength * 2, '0');
  return undefined;
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function isTraceId(text: string): boolean {
  return text.length === TRACE_ID_BYTES * 2 && /^[0-9a-f]+$/.test(text);
}
