/** Small named errors; each message says what failed and what to do about it. */

export class LabError extends Error {
  override name = 'LabError';
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
}

/** Problems a UsageError's message lists (all stay in `problems`), and the longest line it prints of each. */
const SHOWN_PROBLEMS = 20;
const SHOWN_LINE_CHARS = 500;

/** The message's list: a broken list of thousands, or a huge value echoed, must not flood the terminal. */
function problemList(problems: string[]): string {
  const lines = problems.slice(0, SHOWN_PROBLEMS).map((p) =>
    `  - ${p.split('\n').map((line) => (line.length > SHOWN_LINE_CHARS ? `${line.slice(0, SHOWN_LINE_CHARS - 1)}…` : line)).join('\n')}`,
  );
  if (problems.length > SHOWN_PROBLEMS) lines.push(`  - … and ${problems.length - SHOWN_PROBLEMS} more problems`);
  return lines.join('\n');
}

/** A scenario or command line the lab refuses before starting anything (exit 2). */
export class UsageError extends LabError {
  override name = 'UsageError';
  override readonly exitCode = 2;
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}\n${problemList(problems)}` : message);
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

/**
 * States of a component with a start/close lifecycle (a relay, a server, a player, a packager's body), in the manner
 * of mediasoup's InvalidStateError: the message names the component and what was asked of it in which state.
 */

/** Something was asked of a component after close() (or after it finished). */
export class ComponentClosedError extends LabError {
  override name = 'ComponentClosedError';
  /** `component`: e.g. "webrtc-h264: janus relay"; `attempted`: what could not be done, e.g. "subscribe viewer 1". */
  constructor(readonly component: string, readonly attempted: string) {
    super(`${component} is closed: cannot ${attempted}`);
  }
}

/** Something was asked of a component before the step that prepares it (start(), setup(), listen()) ran. */
export class NotStartedError extends LabError {
  override name = 'NotStartedError';
  constructor(readonly component: string, readonly attempted: string, readonly step = 'start()') {
    super(`${component}: ${step} was not called; it must run before ${attempted}`);
  }
}

/** A component that starts once was started again. */
export class AlreadyStartedError extends LabError {
  override name = 'AlreadyStartedError';
  constructor(readonly component: string, readonly step = 'start()') {
    super(`${component}: ${step} was already called; it starts once (make a new one to start again)`);
  }
}

/** A component was given options it cannot work with: a mistake of the calling code, not of the user (exit 1). */
export class InvalidOptionError extends LabError {
  override name = 'InvalidOptionError';
}
