/** The one concurrency limiter: never more than `max` tasks at once, in call order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter, mapLimited } from '../../src/core/util/limiter';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('at limit 1 a caller arriving just as a task finishes waits for the queued one (no second task slips in)', async () => {
  const limiter = new Limiter(1);
  let running = 0;
  let most = 0;
  const enter = () => {
    running++;
    most = Math.max(most, running);
  };
  const quick = async () => {
    enter();
    await Promise.resolve();
    running--;
  };
  const gate = deferred();
  const first = gate.promise.then(() => {
    running--;
  });
  const a = limiter.run(() => {
    enter();
    return first;
  });
  const b = limiter.run(quick);
  // This reaction to the first task runs right after the limiter's own (registered earlier),
  // before the queued task wakes up: the moment a decrement-then-wake limiter shows a free slot.
  const c = first.then(() => limiter.run(quick));
  gate.resolve();
  await Promise.all([a, b, c]);
  assert.equal(most, 1);
});

test('tasks start in call order and a failing task frees its slot', async () => {
  const limiter = new Limiter(2);
  const order: number[] = [];
  const results = await Promise.allSettled(
    [0, 1, 2, 3, 4].map((i) =>
      limiter.run(async () => {
        order.push(i);
        await Promise.resolve();
        if (i === 1) throw new Error('boom');
        return i;
      }),
    ),
  );
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
});

test('mapLimited keeps the items\' order and the bound', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    most = Math.max(most, running);
    for (let i = 0; i < n; i++) await Promise.resolve();
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(most, 2);
});

test('mapLimited stops starting items after the first failure', async () => {
  const started: number[] = [];
  await assert.rejects(
    mapLimited([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await Promise.resolve();
      if (n === 1) throw new Error('boom');
    }),
    /boom/,
  );
  // 0 and 1 ran together and 1 failed; 2…5 were queued behind them and never started.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1]);
});

test('a limit that is not a positive integer is refused', () => {
  assert.throws(() => new Limiter(0), /positive integer/);
});
