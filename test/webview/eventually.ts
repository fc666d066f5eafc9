import assert from 'node:assert/strict';

/**
 * Polls `read` until it deep-equals `expected` (the webview renders on the next animation
 * frame and answers host messages asynchronously), then asserts, so a failure shows the last
 * value seen. A condition wait, never a fixed sleep.
 */
export async function eventually<T>(read: () => Promise<T>, expected: T, message?: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await read();
  while (!isDeepEqual(actual, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
