/**
 * Writing keys that come from a trace (attribute names, message paths) into plain objects.
 * `obj[key] = value` with key "__proto__" does not add an attribute: it replaces the object's
 * prototype, and a nested write through it (`a.__proto__.polluted`) lands on Object.prototype,
 * for every object of the process. Trace content is untrusted, so these writes always make an
 * own data property instead — the attribute is kept, under its real name, as plain data.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `target[key]` only when it is the object's own property (never something inherited). */
export function getOwn(target: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}
