import { pathToFileURL } from 'node:url';
import { BrowserSession } from '../harness/browser/browser-session.ts';
import { findBrowser } from '../core/find-programs.ts';

/**
 * Renders a report.html in headless Chromium (offline, file://) and saves a PNG of its top `height` px at 1280 px
 * wide, once every chart has drawn: for READMEs, pull requests and CI summaries.
 */
export async function screenshotReport(reportFile: string, pngFile: string, height = 1400): Promise<void> {
  const browser = await findBrowser();
  const session = await BrowserSession.launch(browser.path);
  try {
    const page = await session.browser.newPage();
    await page.setViewport({ width: 1280, height });
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });
    await page.waitForSelector('html[data-charts-ready], html[data-charts-error]', { timeout: 15_000 });
    await page.screenshot({ path: pngFile as `${string}.png`, clip: { x: 0, y: 0, width: 1280, height } });
  } finally {
    await session.close();
  }
}
