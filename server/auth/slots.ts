/**
 * Bounded concurrency: at most `size` tasks run at once, at most `maxWaiting`
 * wait for a turn (in arrival order); beyond that a task is refused at once.
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>, refused: () => Error): Promise<T> {
    if (this.running >= this.size) {
      if (this.waiting.length >= this.maxWaiting) throw refused();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes on: `running` stays the same
      else this.running--;
    }
  }
}
