import { LabError, UsageError } from '../../core/errors.ts';

/** The scenario asks for impairment but this machine cannot provide it (no root, no ip/tc/socat): exit 2. */
export class NetworkUnavailableError extends UsageError {
  override name = 'NetworkUnavailableError';
}

/** An ip/tc command failed; the message carries the command line and its stderr. */
export class NetworkCommandError extends LabError {
  override name = 'NetworkCommandError';
  constructor(readonly commandLine: string, readonly stderr: string) {
    super(`\`${commandLine}\` failed: ${stderr.trim().split('\n')[0] || 'no error output'}`);
  }
}
