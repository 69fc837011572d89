/**
 * The lab drives the system's Chromium (Debian's `chromium` plays H.264); puppeteer must never try to
 * download its own browser (no browser downloads are reachable on our build machines).
 * The browser is found via CHROME_PATH, /usr/bin/chromium, google-chrome, then puppeteer's cache.
 * @type {import("puppeteer").Configuration}
 */
module.exports = {
  skipDownload: true,
};
