import { InterruptedError, type LabError } from './errors.ts';

/**
 * The first fatal thing that happens during a run (a component died, Ctrl-C): every awaited step of the run races
 * against it, so the run stops at once and still writes its partial results.
 */
export class FailureSignal {
  private rejectFn: (err: Error) => void = () => {};
  readonly promise: Promise<never>;
  error: Error | undefined;

  constructor(signal?: AbortSignal) {
    this.promise = new Promise<never>((_, reject) => (this.rejectFn = reject));
    this.promise.catch(() => {});
    if (signal) {
      const onAbort = () => this.fail(new InterruptedError(String(signal.reason ?? 'SIGINT')));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  fail(err: Error | LabError): void {
    if (this.error) return;
    this.error = err;
    this.rejectFn(err);
  }

  /** Awaits `step` unless the run fails first. */
  race<T>(step: Promise<T>): Promise<T> {
    step.catch(() => {});
    return Promise.race([step, this.promise]);
  }

  sleep(ms: number): Promise<void> {
    return this.race(new Promise((resolve) => setTimeout(resolve, ms)));
  }
}
