import { EventEmitter } from 'node:events';
import type { Browser, BrowserContext, Page } from 'puppeteer';
import { ComponentDiedError, LabTimeoutError } from '../../core/errors.ts';
import type { PlayerConfig, ProbeBatch } from '../../players/contract.ts';
import { BrowserSession } from './browser-session.ts';
import { connectRemote, shownEndpoint, type BrowserEndpoint } from './remote-browsers.ts';
import { viewerBrowserEnv } from './viewer-browser-env.ts';

/** How long drain() may take before the viewer's renderer counts as hung (a drain normally takes a few ms). */
export const DRAIN_TIMEOUT_MS = 8000;

interface ViewerEvents {
  /** The viewer's renderer crashed or its page went away while the run needed it. */
  died: [error: ComponentDiedError];
}

/**
 * One viewer: its own browser context (pages sharing a window are hidden and get no video frames), the static
 * player page, and drain() to collect what its probe measured. A renderer that crashes (or is killed) emits `died`
 * at once, naming the viewer, and every later call on the page rejects with that error instead of waiting for
 * puppeteer's protocol timeout.
 */
export class Viewer extends EventEmitter<ViewerEvents> {
  readonly pageErrors: string[] = [];
  /** e.g. "webrtc-h264 viewer v0" (the path id and viewer id of its player config). */
  readonly label: string;
  private closed = false;
  private deathError: ComponentDiedError | undefined;
  private readonly death: Promise<never>;
  private rejectDeath: (err: ComponentDiedError) => void = () => {};

  /** A Chromium of this viewer's own (the test hook of viewer-browser-env.ts), closed with it. */
  private ownSession: BrowserSession | undefined;
  /** The CDP connection to a remote browser this viewer's page runs in (not the lab's: only disconnected). */
  private remote: Browser | undefined;

  /**
   * Whether this viewer's browser may keep a clock of its own (started with its own environment, e.g. libfaketime):
   * only then is its clock-offset estimate applied. Every other viewer runs in a Chromium the lab started on this host,
   * which reads the lab's own kernel clock: its offset is 0 by construction, and an estimate (± half an HTTP round trip,
   * tens of ms on a loaded machine) would only add error.
   */
  get ownClock(): boolean {
    return this.ownSession !== undefined || this.remote !== undefined;
  }

  private constructor(readonly config: PlayerConfig, private readonly context: BrowserContext, private readonly page: Page) {
    super();
    this.label = `${config.pathId} viewer ${config.viewerId}`;
    this.death = new Promise<never>((_, reject) => (this.rejectDeath = reject));
    this.death.catch(() => {});
    page.on('pageerror', (err) => this.note(`page error: ${(err as Error).message ?? String(err)}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.note(`console: ${msg.text()}`);
    });
    // puppeteer emits 'error' when Chromium reports Inspector.targetCrashed: the page's renderer process is gone.
    page.on('error', () => this.die('the page crashed (its renderer process is gone)'));
    page.on('close', () => this.die('its page was closed'));
  }

  /**
   * Opens the viewer's context and loads its player page without starting playback, so that page creation (the
   * heaviest browser work) happens before the media pipeline starts and cannot disturb it.
   */
  static async prepare(shared: BrowserSession, serverUrl: string, config: PlayerConfig, where: BrowserEndpoint = { kind: 'local' }): Promise<Viewer> {
    // A remote viewer (remote-browsers.ts): its own CDP connection; the lab opens a context on that browser, never starts it.
    const remote = where.kind === 'local' ? undefined : await connectRemote(where);
    const env = remote ? undefined : viewerBrowserEnv(config.pathId, config.viewerId);
    const own = env ? await BrowserSession.launch(shared.executablePath, [], env) : undefined;
    const browser = remote ?? (own ?? shared).browser;
    const release = async () => {
      await own?.close();
      await remote?.disconnect().catch(() => {});
    };
    const context = await browser.createBrowserContext().catch(async (err: unknown) => {
      await release();
      throw err;
    });
    try {
      // WebRTC: Chromium binds its ICE sockets to each interface's address only for a page allowed to capture; any
      // other page gathers on wildcard sockets (0.0.0.0 and ::). The player never captures anything. Chromium grants
      // capture to secure origins only: loopback here; a namespaced viewer's wildcard covers only its namespace.
      const origin = new URL(serverUrl);
      if (config.kind === 'webrtc' && origin.hostname.startsWith('127.') && !remote) {
        await context.setPermission(origin.origin, { permission: { name: 'camera' }, state: 'granted' });
      }
      const page = await context.newPage();
      await page.setViewport({ width: 320, height: 180 });
      const viewer = new Viewer(config, context, page);
      if (own) {
        viewer.ownSession = own;
        own.on('died', (err) => viewer.die(err.message));
      }
      if (remote) {
        viewer.remote = remote;
        remote.on('disconnected', () => viewer.die(`the remote browser ${shownEndpoint(where)} disconnected`));
      }
      await page.goto(`${serverUrl}/player/${config.kind}/`, { waitUntil: 'load' });
      return viewer;
    } catch (err) {
      await context.close().catch(() => {});
      await release();
      throw err;
    }
  }

  /** Starts playback (the viewer "joins"). */
  async start(): Promise<void> {
    await this.guard(
      this.page.evaluate(async (cfg) => {
        // Runs in the page (puppeteer sends this function's source): only the page's own Error class exists there.
        if (!window.latencyLab) throw new Error('player bundle did not install window.latencyLab');
        await window.latencyLab.start(cfg);
      }, this.config),
    );
  }

  /** What the probe measured since the last drain; rejects within DRAIN_TIMEOUT_MS when the renderer hangs. */
  async drain(): Promise<ProbeBatch> {
    return this.guard(
      this.page.evaluate(() => {
        if (!window.latencyLab) throw new Error('player not installed');
        return window.latencyLab.drain();
      }),
      DRAIN_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.close().catch(() => {});
    await this.ownSession?.close();
    await this.remote?.disconnect().catch(() => {});
  }

  /** Races a page call against the viewer's death and, when given, a time limit. */
  private guard<T>(call: Promise<T>, timeoutMs?: number): Promise<T> {
    call.catch(() => {});
    const racers: Array<Promise<T>> = [call, this.death];
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      racers.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LabTimeoutError(`${this.label}: Chromium did not answer within ${timeoutMs / 1000} s (its renderer is hung or overloaded)`)), timeoutMs);
        }),
      );
    }
    return Promise.race(racers).finally(() => clearTimeout(timer));
  }

  private die(detail: string): void {
    if (this.closed || this.deathError) return;
    this.deathError = new ComponentDiedError(`Chromium renderer of ${this.label}`, detail);
    this.rejectDeath(this.deathError);
    this.emit('died', this.deathError);
  }

  private note(message: string): void {
    if (this.pageErrors.length < 50) this.pageErrors.push(message);
  }
}
