// Puma's thread pool for one web process: at most MAX_THREADS requests run at
// once; the rest wait in the backlog that puma_request_backlog reports.

export class ThreadPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  acquire(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  busy(): number {
    return this.running;
  }

  backlog(): number {
    return this.waiting.length;
  }
}
