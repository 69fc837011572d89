import { EventEmitter } from 'node:events';
import { AlreadyStartedError, ComponentClosedError, NotStartedError, type ComponentDiedError } from '../../core/errors.ts';

/** The one event of a started component: its backend (a process, a worker) ended without being asked to. */
export interface LifecycleEvents {
  died: [error: ComponentDiedError];
}

/**
 * The start/close lifecycle of the relays and the TURN server, after mediasoup's Worker: start() runs once (a second
 * call, or one after close(), is refused); a start that fails closes whatever it had opened and rethrows; close() is
 * idempotent (every call returns the same promise), waits for a start in flight, then runs the subclass's shutdown();
 * `closed` is true from the first close() on; `died` is emitted only while not closing, since the lab's own close()
 * ending a process is not a death.
 *
 * Subclasses implement launch() and shutdown(), check assertOpen() at every entry point and after every await that
 * close() may have overtaken, and take what start() prepared through started().
 */
export abstract class Lifecycle<Started> extends EventEmitter<LifecycleEvents> {
  private starting: Promise<Started> | undefined;
  private closing: Promise<void> | undefined;

  /** Names the component in error messages, e.g. "webrtc-h264: janus relay". */
  protected abstract get label(): string;

  /** Opens what the component needs; on failure, start() closes the component. */
  protected abstract launch(): Promise<Started>;

  /** Releases everything; runs once, after any start in flight has settled. */
  protected abstract shutdown(): Promise<void>;

  /** True from the first close() on. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  async start(): Promise<Started> {
    this.assertOpen('start');
    if (this.starting) throw new AlreadyStartedError(this.label);
    this.starting = this.launch();
    try {
      return await this.starting;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => {});
      await this.shutdown();
    })();
    return this.closing;
  }

  /** Throws ComponentClosedError once close() was called; `attempted` says what could not be done. */
  protected assertOpen(attempted: string): void {
    if (this.closing) throw new ComponentClosedError(this.label, attempted);
  }

  /** `value` (something start() prepared), or NotStartedError when start() has not provided it yet. */
  protected started<T>(value: T | undefined, attempted: string): T {
    if (value === undefined) throw new NotStartedError(this.label, attempted);
    return value;
  }

  /** Emits `died` unless the component is closing (then the death is the lab's own doing). */
  protected reportDied(error: ComponentDiedError): void {
    if (!this.closing) this.emit('died', error);
  }
}
