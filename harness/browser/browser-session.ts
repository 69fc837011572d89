import { EventEmitter } from 'node:events';
import puppeteer, { type Browser } from 'puppeteer';
import { labDefaults } from '../../core/defaults.ts';
import { ComponentDiedError } from '../../core/errors.ts';
import { makeTempDir, processRegistry, removeTempDir } from '../../core/process/process-registry.ts';

interface BrowserSessionEvents {
  died: [error: ComponentDiedError];
}

/**
 * One headless Chromium for the run (each viewer gets its own browser context in it). Puppeteer starts Chromium as
 * its own process group; the group is registered so it cannot outlive the lab, and close() is idempotent.
 */
export class BrowserSession extends EventEmitter<BrowserSessionEvents> {
  private closing: Promise<void> | undefined;
  private readonly stderrTail: string[] = [];

  private constructor(readonly browser: Browser, private readonly userDataDir: string, readonly executablePath: string) {
    super();
    const pid = browser.process()?.pid;
    if (pid !== undefined) processRegistry.add(pid, 'chromium', executablePath);
    browser.process()?.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.stderrTail.length > 20) this.stderrTail.splice(0, this.stderrTail.length - 20);
    });
    browser.on('disconnected', () => {
      if (!this.closing) this.emit('died', new ComponentDiedError('Chromium', 'the browser disconnected', this.stderrTail));
    });
  }

  /** @param env extra environment for Chromium (the viewer test hook, see viewer-browser-env.ts); inherited by its renderers. */
  static async launch(executablePath: string, extraArgs: string[] = [], env?: Record<string, string>): Promise<BrowserSession> {
    const userDataDir = await makeTempDir('latency-lab-chromium-');
    try {
      const browser = await puppeteer.launch({
        executablePath,
        headless: true,
        userDataDir,
        args: [...labDefaults.chromiumArgs, ...extraArgs],
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        dumpio: false,
        pipe: true,
        ...(env ? { env: { ...process.env, ...env } } : {}),
        timeout: labDefaults.browserLaunchTimeoutMs,
        protocolTimeout: labDefaults.protocolTimeoutMs,
      });
      return new BrowserSession(browser, userDataDir, executablePath);
    } catch (err) {
      await removeTempDir(userDataDir);
      throw new ComponentDiedError('Chromium', `could not launch ${executablePath}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  get pid(): number | undefined {
    return this.browser.process()?.pid;
  }

  async version(): Promise<string> {
    return this.browser.version();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const pid = this.pid;
      await Promise.race([this.browser.close().catch(() => {}), new Promise((r) => setTimeout(r, labDefaults.killTimeoutMs))]);
      if (pid !== undefined) {
        processRegistry.signal(pid, 'SIGKILL');
        processRegistry.remove(pid);
      }
      await removeTempDir(this.userDataDir).catch(() => {});
    })();
    return this.closing;
  }
}
