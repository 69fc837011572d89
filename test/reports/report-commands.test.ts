import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserOpener, resolveRunDir, showReport, writeReport } from '../../reports/report-commands.ts';
import { writeSyntheticRunDir } from './fixtures/synthetic-run.ts';
import { getWithHost } from '../support/host-request.ts';

function runsRoot(): { root: string; older: string; newer: string } {
  const root = mkdtempSync(join(tmpdir(), 'lab-runs-'));
  const older = join(root, '20251125-080000-alpha');
  const newer = join(root, '20251125-090000-beta');
  mkdirSync(older);
  mkdirSync(newer);
  mkdirSync(join(root, 'not-a-run'));
  writeSyntheticRunDir({ name: 'alpha', seconds: 2 }, true, older);
  writeSyntheticRunDir({ name: 'beta', seconds: 2 }, true, newer);
  return { root, older, newer };
}

describe('writeReport', () => {
  it('writes report.html into the run folder from the saved results', async () => {
    const dir = writeSyntheticRunDir({ seconds: 3 });
    const file = await writeReport(dir);
    expect(file).toBe(join(dir, 'report.html'));
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>synthetic-mix</h1>');
    expect(html).toContain('report generated');
  });

  it('writes to another file when asked', async () => {
    const dir = writeSyntheticRunDir({ seconds: 2 });
    const out = join(mkdtempSync(join(tmpdir(), 'lab-out-')), 'r.html');
    expect(await writeReport(dir, out)).toBe(out);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});

describe('resolveRunDir', () => {
  it('picks the latest run, a folder name, a scenario name or a path', () => {
    const { root, older, newer } = runsRoot();
    expect(resolveRunDir(undefined, root)).toBe(newer);
    expect(resolveRunDir('20251125-080000-alpha', root)).toBe(older);
    expect(resolveRunDir('alpha', root)).toBe(older);
    expect(resolveRunDir(join(older, 'results.json'), root)).toBe(older);
    expect(() => resolveRunDir('gamma', root)).toThrow(/no run "gamma".*latest runs: 20251125-090000-beta, 20251125-080000-alpha/);
    expect(() => resolveRunDir(undefined, join(root, 'nothing'))).toThrow(/no runs under/);
  });
});

describe('showReport', () => {
  it('serves the latest run on 127.0.0.1 and closes', async () => {
    const { root, newer } = runsRoot();
    const shown = await showReport(undefined, root, { open: false });
    try {
      expect(shown.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(shown.file).toBe(join(newer, 'report.html'));
      const res = await fetch(shown.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<h1>beta</h1>');
      expect((await fetch(new URL('/nope', shown.url))).status).toBe(404);
    } finally {
      await shown.close();
    }
    await expect(fetch(shown.url)).rejects.toThrow();
  });

  it('refuses a request whose Host is not its own address (DNS rebinding) with 403', async () => {
    const { root } = runsRoot();
    const shown = await showReport(undefined, root, { open: false });
    try {
      const port = Number(new URL(shown.url).port);
      expect(await getWithHost(port, `attacker.example:${port}`)).toBe(403);
      expect(await getWithHost(port, `127.0.0.1.attacker.example:${port}`, '/report.html')).toBe(403);
      expect(await getWithHost(port, `127.0.0.1:${port + 1}`)).toBe(403);
      expect(await getWithHost(port, `127.0.0.1:${port}`)).toBe(200);
      expect(await getWithHost(port, `localhost:${port}`)).toBe(200);
    } finally {
      await shown.close();
    }
  });

  it('serves a named run', async () => {
    const { root } = runsRoot();
    const shown = await showReport('alpha', root, { open: false });
    try {
      expect(await (await fetch(shown.url)).text()).toContain('<h1>alpha</h1>');
    } finally {
      await shown.close();
    }
  });

  it('opens a browser only when there is one to open', () => {
    expect(browserOpener({}, 'linux')).toBeUndefined();
    expect(browserOpener({ CI: 'true', DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(browserOpener({}, 'win32')?.command).toBe('cmd');
  });
});
