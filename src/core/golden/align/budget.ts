/**
 * A cap on model requests for one alignment: cached replies are free, everything else counts.
 * Every model call of an alignment reserves from it first, so it is also where a cancelled
 * alignment stops.
 */
export class BudgetExhausted extends Error {}

export class AlignmentCancelled extends Error {
  constructor() {
    super('the alignment was cancelled');
  }
}

export class CallBudget {
  private spent = 0;

  constructor(
    readonly limit: number,
    readonly signal?: AbortSignal,
  ) {}

  /** Throws AlignmentCancelled once the signal is aborted. */
  checkCancelled(): void {
    if (this.signal?.aborted) throw new AlignmentCancelled();
  }

  get used(): number {
    return this.spent;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.spent);
  }

  /** Reserves one request before a model call (calls run concurrently); throws when nothing is left. */
  reserve(): void {
    this.checkCancelled();
    if (this.spent >= this.limit) throw new BudgetExhausted(`the model-call budget of ${this.limit} is used up`);
    this.spent++;
  }

  /** Adds what a sub-budget (e.g. a search that must leave room for the final comparison) used. */
  charge(requests: number): void {
    this.spent += requests;
  }

  /** After the call: how many requests it really made (0 when cached, more after retries). */
  settle(requests: number): void {
    this.spent += requests - 1;
  }
}
