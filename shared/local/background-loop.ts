import type { Logger } from '../platform/logger.ts';

/**
 * Runs `work` repeatedly: again at once while it reports progress, else after `idleMs` or as soon
 * as someone calls `nudge()`. `stop()` waits for the round in progress, so nothing is cut off.
 */
export class BackgroundLoop {
  private running = false;
  private wake: (() => void) | undefined;
  private finished: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<boolean>,
    private readonly logger: Logger,
    private readonly idleMs = 500,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.finished = this.loop();
  }

  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.finished;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let progressed = false;
      try {
        progressed = await this.work();
      } catch (error) {
        this.logger.error(`${this.name} failed; will retry`, { error });
      }
      if (progressed || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
