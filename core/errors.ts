/** Small named errors; each message says what failed and what to do about it. */

export class LabError extends Error {
  override name = 'LabError';
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
}

/** A scenario or command line the lab refuses before starting anything (exit 2). */
export class UsageError extends LabError {
  override name = 'UsageError';
  override readonly exitCode = 2;
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

/** A required program (ffmpeg, Chromium) is missing; the message carries the install hint. */
export class MissingDependencyError extends UsageError {
  override name = 'MissingDependencyError';
}

/** A child process (ffmpeg, Chromium, a server) died while the run needed it. */
export class ComponentDiedError extends LabError {
  override name = 'ComponentDiedError';
  constructor(readonly component: string, readonly detail: string, readonly stderrTail: string[] = []) {
    super(`${component} died: ${detail}${stderrTail.length ? `\n  last stderr lines:\n${stderrTail.map((l) => `    ${l}`).join('\n')}` : ''}`);
  }
}

/** Something did not happen in time (process readiness, first frame, playlist). */
export class LabTimeoutError extends LabError {
  override name = 'LabTimeoutError';
}

/** The run was interrupted (Ctrl-C / SIGTERM) (exit 130). */
export class InterruptedError extends LabError {
  override name = 'InterruptedError';
  override readonly exitCode = 130;
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
  }
}
