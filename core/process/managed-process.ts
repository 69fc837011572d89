import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { ComponentDiedError, LabTimeoutError } from '../errors.ts';
import { processRegistry } from './process-registry.ts';

export interface ManagedProcessOptions {
  /** Component name used in errors and logs, e.g. "ffmpeg". */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Keep stdin open as a pipe, or connect it to another process's output stream (fd passed directly). */
  stdin?: boolean | NodeJS.ReadableStream;
  /** stdout carries data for another process: it is not read as lines. */
  stdoutIsData?: boolean;
  /** Resolves readiness when a stderr/stdout line matches. Without it the process is ready once spawned. */
  readyWhen?: RegExp;
  readyTimeoutMs?: number;
  /** How long close() waits after SIGTERM (or after closing stdin) before SIGKILL. */
  killTimeoutMs?: number;
  /** Lines of stderr kept for error messages. */
  stderrTailLines?: number;
}

interface ManagedProcessEvents {
  /** The process exited without close() having been called. */
  died: [error: ComponentDiedError];
  line: [line: string];
}

/**
 * A child process wrapper in the manner of mediasoup's Worker: spawn (as its own process group, registered so that
 * it cannot outlive the lab), wait until ready, a `died` event carrying the stderr tail, and an idempotent close().
 */
export class ManagedProcess extends EventEmitter<ManagedProcessEvents> {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private closing: Promise<void> | undefined;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(private readonly options: ManagedProcessOptions) {
    super();
    this.name = options.name;
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.stdin === true ? 'pipe' : options.stdin ? (options.stdin as unknown as import('node:stream').Stream) : 'ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid !== undefined) processRegistry.add(this.child.pid, options.name, options.command);
    this.child.stdin?.on('error', () => {
      /* EPIPE after the process died is reported through 'died' */
    });
    for (const stream of options.stdoutIsData ? [this.child.stderr] : [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        partial += chunk;
        const lines = partial.split(/\r?\n|\r/);
        partial = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      });
    }
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.onLine(`spawn error: ${err.message}`);
        if (this.child.pid === undefined) {
          this.exited = true;
          resolve();
        }
      });
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        if (this.child.pid !== undefined) {
          // Reap anything the leader left behind in its group.
          processRegistry.signal(this.child.pid, 'SIGKILL');
          processRegistry.remove(this.child.pid);
        }
        if (!this.closing) {
          this.emit('died', new ComponentDiedError(this.name, `exited with ${signal ? `signal ${signal}` : `code ${code}`}`, this.stderrTail()));
        }
        resolve();
      });
    });
  }

  /** Spawns the process and resolves once it is ready (or rejects with its stderr tail). */
  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    const proc = new ManagedProcess(options);
    await proc.waitReady();
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): NodeJS.WritableStream | null {
    return this.child.stdin;
  }

  get stdout(): NodeJS.ReadableStream | null {
    return this.child.stdout;
  }

  get closed(): boolean {
    return this.exited || this.closing !== undefined;
  }

  stderrTail(): string[] {
    return [...this.tail];
  }

  /**
   * Stops the process: closes stdin (ffmpeg then finishes its outputs) or sends SIGTERM, then SIGKILLs the whole
   * group after killTimeoutMs. Safe to call any number of times; every call resolves when the process is gone.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (this.exited) return;
        const pid = this.child.pid;
        if (this.child.stdin) this.child.stdin.end();
        else if (pid !== undefined) processRegistry.signal(pid, 'SIGTERM');
        const timeout = this.options.killTimeoutMs ?? 3000;
        let timer: NodeJS.Timeout | undefined;
        const escalate = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            if (pid !== undefined && !this.exited) processRegistry.signal(pid, this.child.stdin ? 'SIGTERM' : 'SIGKILL');
            timer = setTimeout(() => {
              if (pid !== undefined && !this.exited) processRegistry.signal(pid, 'SIGKILL');
              resolve();
            }, timeout);
          }, timeout);
        });
        await Promise.race([this.exitPromise, escalate]);
        if (timer) clearTimeout(timer);
        await this.exitPromise;
      })();
    }
    return this.closing;
  }

  /** Resolves when an output line matches `pattern`; rejects if the process dies or the time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const match = this.tail.find((line) => pattern.test(line));
    if (match !== undefined) return Promise.resolve(match);
    return new Promise<string>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('line', onLine);
        this.off('died', onDied);
      };
      const onLine = (line: string) => {
        if (!pattern.test(line)) return;
        cleanup();
        resolve(line);
      };
      const onDied = (err: ComponentDiedError) => {
        cleanup();
        reject(err);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new LabTimeoutError(`${this.name} did not print ${pattern} within ${timeoutMs} ms; last output:\n${this.tail.join('\n')}`));
      }, timeoutMs);
      this.on('line', onLine);
      this.once('died', onDied);
    });
  }

  private onLine(line: string): void {
    this.tail.push(line);
    const keep = this.options.stderrTailLines ?? 20;
    if (this.tail.length > keep) this.tail.splice(0, this.tail.length - keep);
    this.emit('line', line);
  }

  private waitReady(): Promise<void> {
    const { readyWhen, readyTimeoutMs = 10_000 } = this.options;
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('line', onLine);
        this.child.off('error', onError);
        this.off('died', onDied);
      };
      const onLine = (line: string) => {
        if (readyWhen?.test(line)) {
          cleanup();
          resolve();
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new ComponentDiedError(this.name, `could not start ${this.options.command}: ${err.message}`));
      };
      const onDied = (err: ComponentDiedError) => {
        cleanup();
        reject(err);
      };
      const timer = setTimeout(() => {
        cleanup();
        void this.close();
        reject(new LabTimeoutError(`${this.name} was not ready within ${readyTimeoutMs} ms; last output:\n${this.tail.join('\n')}`));
      }, readyTimeoutMs);
      this.child.once('error', onError);
      this.once('died', onDied);
      if (readyWhen) this.on('line', onLine);
      else this.child.once('spawn', () => {
        cleanup();
        resolve();
      });
    });
  }
}
