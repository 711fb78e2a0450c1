/**
 * The parts of a running stack, stopped in the reverse of the order they started, each within a time
 * limit so one stuck part cannot keep the others (or the process) up.
 */

/** Rejects if promise has not settled after ms. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class StopStack {
  private readonly parts: Array<{ name: string; stop: () => Promise<void> }> = [];

  constructor(
    private readonly log: (line: string) => void,
    private readonly warn: (line: string) => void,
    private readonly stepTimeoutMs = 15_000,
  ) {}

  get size(): number {
    return this.parts.length;
  }

  push(name: string, stop: () => Promise<void>): void {
    this.parts.push({ name, stop });
  }

  /** Stops every part, last started first; true if all stopped without error. Safe to call again. */
  async stopAll(): Promise<boolean> {
    let clean = true;
    for (let part = this.parts.pop(); part; part = this.parts.pop()) {
      this.log(`stopping the ${part.name}`);
      try {
        await withTimeout(part.stop(), this.stepTimeoutMs, `stopping the ${part.name}`);
      } catch (e) {
        clean = false;
        this.warn(`could not stop the ${part.name} cleanly: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return clean;
  }
}
