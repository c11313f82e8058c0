/**
 * Runs work a few at a time, in arrival order, with a bound on how much may wait. Each piece
 * starts on a later turn of the event loop, so interactions that arrived meanwhile are
 * acknowledged first.
 */
export class WorkQueue {
  private readonly waiting: Array<() => Promise<void>> = [];
  private running = 0;

  constructor(
    /** How many may wait while others run; past it, `tryRun` refuses. */
    private readonly limit: number,
    private readonly concurrency: number,
  ) {}

  /** Whether work queued now would start at once. */
  get idle(): boolean {
    return this.running < this.concurrency && this.waiting.length === 0;
  }

  /** Queues `work` and resolves with its result, or returns undefined when the queue is full. */
  tryRun<T>(work: () => Promise<T>): Promise<T> | undefined {
    if (this.running >= this.concurrency && this.waiting.length >= this.limit) return undefined;
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => work().then(resolve, reject));
      this.schedule();
    });
  }

  private schedule(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.running++;
      setImmediate(
        () =>
          void next().finally(() => {
            this.running--;
            this.schedule();
          }),
      );
    }
  }
}
