interface Waiting {
  /** Whatever it waits for first (its interaction's deferral) has happened. */
  ready: boolean;
  start(): Promise<void>;
}

/**
 * Runs work a few at a time, in arrival order, with a bound on how much may wait. Each piece
 * starts on a later turn of the event loop, so interactions that arrived meanwhile are
 * acknowledged first.
 */
export class WorkQueue {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    /** How many may wait while others run; past it, `tryRun` refuses. */
    private readonly limit: number,
    private readonly concurrency: number,
    /** While true, one piece runs at a time: something more urgent needs the event loop. */
    private readonly yielding: () => boolean = () => false,
  ) {}

  /** Whether work queued now would start at once. */
  get idle(): boolean {
    return this.running < this.concurrency && this.waiting.length === 0;
  }

  /** How many wait for their turn: the queue depth operators watch. */
  get depth(): number {
    return this.waiting.length;
  }

  get full(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.limit;
  }

  /**
   * Queues `work` to start once `after` has settled, and resolves with its result (rejects
   * if `after` rejects); returns undefined when the queue is full.
   */
  tryRun<T>(work: () => Promise<T>, after?: Promise<unknown>): Promise<T> | undefined {
    if (this.full) return undefined;
    return new Promise<T>((resolve, reject) => {
      let failed: unknown;
      const entry: Waiting = {
        ready: !after,
        start: () =>
          failed !== undefined ? Promise.resolve(reject(failed)) : work().then(resolve, reject),
      };
      this.waiting.push(entry);
      after
        ?.then(
          () => (entry.ready = true),
          (error: unknown) => {
            failed = error ?? new Error("the work's precondition failed");
            entry.ready = true;
          },
        )
        .finally(() => this.schedule());
      this.schedule();
    });
  }

  /** Starts what may start now (call when `yielding` turns false). */
  schedule(): void {
    while (this.running < (this.yielding() ? 1 : this.concurrency)) {
      const index = this.waiting.findIndex((w) => w.ready);
      if (index === -1) return;
      const [next] = this.waiting.splice(index, 1);
      this.running++;
      setImmediate(
        () =>
          void next!.start().finally(() => {
            this.running--;
            this.schedule();
          }),
      );
    }
  }
}
