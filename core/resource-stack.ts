import { LabTimeoutError } from './errors.ts';

/** How long one closer may take before the stack gives up on it and moves on (ms). */
export const CLOSER_TIMEOUT_MS = 20_000;

/**
 * Things to close at the end of a run, closed in reverse order of opening; every closer runs even if one fails, and
 * none may hang the ending: a closer still pending after `timeoutMs` is reported (LabTimeoutError naming it) and
 * left behind, so the run still writes its results and the exit hook still kills every registered child.
 * Something opened after closing began (a step that finished starting a relay after Ctrl-C) is closed at once.
 */
export class ResourceStack {
  private readonly closers: Array<{ label: string; close: () => Promise<void> | void }> = [];
  private onError: (label: string, err: unknown) => void = () => {};
  private closing = false;

  constructor(private readonly timeoutMs = CLOSER_TIMEOUT_MS) {}

  defer(label: string, close: () => Promise<void> | void): void {
    if (!this.closing) {
      this.closers.push({ label, close });
      return;
    }
    // Too late to wait in line: nothing would ever close it, and its sockets would keep the lab from exiting.
    void Promise.resolve()
      .then(close)
      .catch((err: unknown) => this.onError(label, err));
  }

  /** Whether closeAll() has begun (a late defer() is then closed at once). */
  get closed(): boolean {
    return this.closing;
  }

  async closeAll(onError: (label: string, err: unknown) => void = () => {}): Promise<void> {
    this.closing = true;
    this.onError = onError;
    while (this.closers.length) {
      const { label, close } = this.closers.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(close),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new LabTimeoutError(`${label} did not close within ${this.timeoutMs / 1000} s; left to the exit hook`)), this.timeoutMs);
          }),
        ]);
      } catch (err) {
        onError(label, err);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
