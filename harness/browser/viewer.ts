import type { BrowserContext, Page } from 'puppeteer';
import type { PlayerConfig, ProbeBatch } from '../../players/contract.ts';
import type { BrowserSession } from './browser-session.ts';

/**
 * One viewer: its own browser context (pages sharing a window are hidden and get no video frames), the static
 * player page, and drain() to collect what its probe measured.
 */
export class Viewer {
  readonly pageErrors: string[] = [];
  private closed = false;

  private constructor(readonly config: PlayerConfig, private readonly context: BrowserContext, private readonly page: Page) {
    page.on('pageerror', (err) => this.note(`page error: ${(err as Error).message ?? String(err)}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.note(`console: ${msg.text()}`);
    });
  }

  /**
   * Opens the viewer's context and loads its player page without starting playback, so that page creation (the
   * heaviest browser work) happens before the media pipeline starts and cannot disturb it.
   */
  static async prepare(session: BrowserSession, serverUrl: string, config: PlayerConfig): Promise<Viewer> {
    const context = await session.browser.createBrowserContext();
    try {
      const page = await context.newPage();
      await page.setViewport({ width: 320, height: 180 });
      const viewer = new Viewer(config, context, page);
      await page.goto(`${serverUrl}/player/${config.kind}/`, { waitUntil: 'load' });
      return viewer;
    } catch (err) {
      await context.close().catch(() => {});
      throw err;
    }
  }

  /** Starts playback (the viewer "joins"). */
  async start(): Promise<void> {
    await this.page.evaluate(async (cfg) => {
      if (!window.latencyLab) throw new Error('player bundle did not install window.latencyLab');
      await window.latencyLab.start(cfg);
    }, this.config);
  }

  async drain(): Promise<ProbeBatch> {
    return this.page.evaluate(() => {
      if (!window.latencyLab) throw new Error('player not installed');
      return window.latencyLab.drain();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.close().catch(() => {});
  }

  private note(message: string): void {
    if (this.pageErrors.length < 50) this.pageErrors.push(message);
  }
}
