import type { Response } from 'express';
import type { Logger } from '../logger.ts';

const AFTER_RESPONSE_DELAY_MS = 20;

/**
 * Work that must not lengthen (or shape) a response: e-mails, and everything a password-reset
 * request does once the visitor has had the one answer it always gets. A task starts after the
 * response has been sent; its failure is logged (never with its data) and goes no further.
 * `idle()` waits for every task started so far: shutdown drains them, tests wait for them.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Runs `task` once `res` has been sent (or the client has gone), and a moment later: the task's
   * first steps then do not compete with the last steps of the answer (a proxy or a client in the
   * same process reading it), so its cost never shows in the answer's timing.
   */
  afterResponse(res: Response, label: string, task: () => Promise<void>): void {
    const sent =
      res.writableFinished || res.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            res.once('finish', resolve);
            res.once('close', resolve);
          });
    this.track(
      sent
        .then(() => new Promise((resolve) => setTimeout(resolve, AFTER_RESPONSE_DELAY_MS)))
        .then(() => this.guarded(label, task)),
    );
  }

  /** Runs `task` now, without waiting for it. */
  run(label: string, task: () => Promise<void>): void {
    this.track(Promise.resolve().then(() => this.guarded(label, task)));
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private async guarded(label: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.logger.error(
        { task: label, err: err instanceof Error ? err.message : String(err) },
        'background task failed',
      );
    }
  }
}
