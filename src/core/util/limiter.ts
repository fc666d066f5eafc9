/**
 * The one concurrency limiter: scenario attempts in the harness, judges of an attempt, model
 * calls and golden-set evaluation all queue here.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${max}`);
  }

  /** Runs `task` once fewer than `max` tasks run; waiting tasks start in call order. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter (see release): a caller
    // arriving between the release and the waiter's wake-up must not see a free slot.
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Runs `task` over `items` with at most `limit` in flight; results keep the items' order. The
 * first failure rejects the whole map, and items not yet started are then not started at all
 * (a cancelled alignment must not go on sending model calls).
 */
export function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(Math.max(1, Math.floor(limit)));
  let failed = false;
  return Promise.all(
    items.map((item, index) =>
      limiter.run(async () => {
        if (failed) throw new Error('not started: an earlier item failed');
        try {
          return await task(item, index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    ),
  );
}
