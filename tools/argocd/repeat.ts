/**
 * Runs `pass` again `intervalMs` after each run ends, until stopped: what the status writer and the stand-ins
 * do for as long as a scenario runs. A pass that throws is remembered (`lastError`, for the report) and the
 * next one still runs; a pass that succeeds clears it.
 */
export class Repeat {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  lastError: string | undefined;

  constructor(private readonly pass: () => Promise<void>, private readonly intervalMs: number) {}

  start(): void {
    const tick = async () => {
      if (!this.running) return;
      try {
        await this.pass();
        this.lastError = undefined;
      } catch (e) {
        this.lastError = (e as Error).message;
      }
      if (this.running) this.timer = setTimeout(tick, this.intervalMs);
    };
    this.running = true;
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }
}
