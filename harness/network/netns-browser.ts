import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSystemProgram } from './network-capabilities.ts';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The wrapper's text: `ip netns exec` replaces itself with the browser, so the pid, pipes and fds stay the same. */
export function netnsWrapperScript(ipPath: string, namespace: string, browserPath: string, extraArgs: string[] = []): string {
  const extra = extraArgs.map((a) => ` ${quote(a)}`).join('');
  return `#!/bin/sh\n# Chromium inside the lab's network namespace ${namespace} (written by latency-lab for one run).\nexec ${quote(ipPath)} netns exec ${quote(namespace)} ${quote(browserPath)}${extra} "$@"\n`;
}

/**
 * Writes an executable that starts the browser inside `namespace`; puppeteer launches it as the browser
 * (connecting over the pipe, which `ip netns exec` passes through), so the browser only sees that namespace's
 * loopback and its veth end. `extraArgs` go before puppeteer's (the per-path TLS trust of tls-identity.ts).
 */
export async function writeNetnsWrapper(dir: string, namespace: string, browserPath: string, extraArgs: string[] = []): Promise<string> {
  const path = join(dir, `chromium-in-${namespace}.sh`);
  await writeFile(path, netnsWrapperScript(findSystemProgram('ip') ?? 'ip', namespace, browserPath, extraArgs));
  await chmod(path, 0o755);
  return path;
}
