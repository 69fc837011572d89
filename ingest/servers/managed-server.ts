import { connect } from 'node:net';
import { ComponentClosedError, ComponentDiedError, LabTimeoutError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import { makeTempDir, removeTempDir } from '../../core/process/process-registry.ts';
import { Lifecycle } from '../relays/lifecycle.ts';
import { freeTcpPort } from '../relays/ports.ts';

/** How a server process is started, once its throwaway folder and ports are known. */
export interface ServerLaunch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ManagedServerOptions {
  /** Names the server in errors and in the run-state file, e.g. "nginx-rtmp (hls-1s-nginx-rtmp)". */
  label: string;
  /** The address every port is bound to (127.0.0.1, or a lab-made namespace address). */
  address: string;
  readyTimeoutMs?: number;
  killTimeoutMs?: number;
}

/** Log lines of a server that lost the race for a port the OS had reported free (then it is started again). */
const PORT_TAKEN = /address already in use|EADDRINUSE/i;
const PORT_ATTEMPTS = 3;

/**
 * A media server process the lab runs for one path (nginx-rtmp, node-media-server), in the manner of mediasoup's
 * Worker, on the relays' start/close lifecycle (lifecycle.ts: start once, idempotent close, `died` only when not
 * closing): start() makes a throwaway folder, picks OS-chosen free ports, writes the server's configuration there,
 * spawns it as a ManagedProcess (own process group, recorded in the run-state file so a killed lab's server is
 * ended by the next run) and resolves once every port accepts a TCP connection; a port lost to another process
 * between choosing and binding is retried with new ports. `died` carries the server's last log lines; close() stops
 * the group (SIGTERM, then SIGKILL) and removes the folder, in every ending.
 */
export abstract class ManagedServer extends Lifecycle<void> {
  private proc: ManagedProcess | undefined;
  private dir: string | undefined;
  /** The ports of the running server, in the order portCount() asked for them. */
  protected ports: number[] = [];

  constructor(protected readonly options: ManagedServerOptions) {
    super();
  }

  /** How many TCP ports the server listens on. */
  protected abstract portCount(): number;

  /** Writes the configuration into `dir` (the server's own folder) and says how to start the server. */
  protected abstract prepare(dir: string, ports: number[]): Promise<ServerLaunch>;

  get label(): string {
    return this.options.label;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The server's folder (configuration, media it writes), while it runs. */
  get folder(): string | undefined {
    return this.dir;
  }

  /** The server's last log lines. */
  logTail(): string[] {
    return this.proc?.stderrTail() ?? [];
  }

  protected async shutdown(): Promise<void> {
    await this.proc?.close();
    if (this.dir) await removeTempDir(this.dir);
  }

  protected async launch(): Promise<void> {
    this.dir = await makeTempDir(`latency-lab-${this.label.replace(/[^a-zA-Z0-9-]+/g, '-')}-`);
    for (let attempt = 1; ; attempt++) {
      this.assertOpen('finish starting');
      this.ports = await Promise.all(Array.from({ length: this.portCount() }, () => freeTcpPort(this.options.address)));
      const launch = await this.prepare(this.dir, this.ports);
      this.assertOpen('finish starting');
      const proc = await ManagedProcess.start({
        name: this.label,
        command: launch.command,
        args: launch.args,
        env: launch.env ?? process.env,
        cwd: this.dir,
        killTimeoutMs: this.options.killTimeoutMs ?? 3000,
        stderrTailLines: 30,
      });
      this.proc = proc;
      try {
        await this.untilListening(proc);
        proc.on('died', (err) => this.reportDied(err));
        return;
      } catch (err) {
        await proc.close();
        if (!(err instanceof ComponentDiedError) || attempt >= PORT_ATTEMPTS || !proc.stderrTail().some((l) => PORT_TAKEN.test(l))) throw err;
      }
    }
  }

  /** Resolves once every port accepts a connection; rejects when the process dies or the time runs out. */
  private untilListening(proc: ManagedProcess): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        proc.off('died', onDied);
        if (err) reject(err);
        else resolve();
      };
      const onDied = (err: ComponentDiedError) => finish(err);
      proc.once('died', onDied);
      if (proc.closed) return finish(new ComponentDiedError(this.label, 'exited while starting', proc.stderrTail()));
      const poll = async () => {
        while (!done) {
          if (this.closed) return finish(new ComponentClosedError(this.label, 'finish starting'));
          const open = await Promise.all(this.ports.map((port) => accepts(this.options.address, port)));
          if (open.every(Boolean)) return finish();
          if (Date.now() > deadline) {
            return finish(new LabTimeoutError(`${this.label} did not listen on ${this.options.address}:${this.ports.join(', ')} within ${timeoutMs} ms; last log lines:\n${proc.stderrTail().join('\n')}`));
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    });
  }
}

/** Whether a TCP connection to address:port is accepted (closed again at once). */
export function accepts(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const end = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}
