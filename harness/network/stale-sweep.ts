import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../core/process/process-registry.ts';
import { run, runEach } from './command-runner.ts';
import { deleteLinkCommand, deleteNamespaceCommand } from './ip-commands.ts';
import { ownerPid } from './link-names.ts';

/** Lab-made namespaces and interfaces on the machine (names only), as `ip netns list` and `ip -o link` print them. */
export interface OwnedNames {
  namespaces: string[];
  links: string[];
}

export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/** Interface names from `ip -o link show` ("5: name@if4: <...>"). */
export function parseLinkNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

export async function listOwned(): Promise<OwnedNames> {
  const [netns, links] = await Promise.all([run({ program: 'ip', args: ['netns', 'list'] }), run({ program: 'ip', args: ['-o', 'link', 'show'] })]);
  return {
    namespaces: parseNetnsList(netns).filter((n) => ownerPid(n) !== undefined),
    links: parseLinkNames(links).filter((n) => ownerPid(n) !== undefined),
  };
}

/** Names whose owner is no longer running (pid gone), i.e. left behind by a run that crashed or was killed. */
export function staleNames(owned: OwnedNames, alive: (pid: number) => boolean = isAlive, self: number = process.pid): OwnedNames {
  const stale = (name: string) => {
    const pid = ownerPid(name);
    return pid !== undefined && pid !== self && !alive(pid);
  };
  return { namespaces: owned.namespaces.filter(stale), links: owned.links.filter(stale) };
}

/**
 * Tun helpers (socat) of crashed runs: a killed lab cannot stop them, and the one holding a namespace's tun outlives
 * the namespace's removal. Found by the lab-made tun name on their command line, never by program name alone.
 */
export function staleHelperPids(processes: Array<{ pid: number; args: string[] }>, alive: (pid: number) => boolean = isAlive, self: number = process.pid): number[] {
  return processes
    .filter(({ args }) => /(^|\/)socat$/.test(args[0] ?? ''))
    .filter(({ args }) =>
      args.some((arg) => {
        const owner = ownerPid(/tun-name=([^,]+)/.exec(arg)?.[1] ?? '');
        return owner !== undefined && owner !== self && !alive(owner);
      }),
    )
    .map(({ pid }) => pid);
}

function listProcesses(): Array<{ pid: number; args: string[] }> {
  const out: Array<{ pid: number; args: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push({ pid: Number(entry), args: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Scratch folders (the Chromium wrappers) of crashed runs: every wrapper in them names a namespace of a dead owner. */
export function staleScratchDirs(dirs: Array<{ path: string; files: string[] }>, alive: (pid: number) => boolean = isAlive, self: number = process.pid): string[] {
  return dirs
    .filter(({ files }) => {
      const owners = files.map((f) => ownerPid(/^chromium-in-(.+)\.sh$/.exec(f)?.[1] ?? ''));
      return owners.length > 0 && owners.every((pid) => pid !== undefined && pid !== self && !alive(pid));
    })
    .map(({ path }) => path);
}

function scratchDirs(): Array<{ path: string; files: string[] }> {
  const root = tmpdir();
  return readdirSync(root)
    .filter((name) => name.startsWith('latency-lab-netns-'))
    .flatMap((name) => {
      try {
        return [{ path: join(root, name), files: readdirSync(join(root, name)) }];
      } catch {
        return [];
      }
    });
}

/**
 * Removes namespaces and interfaces of crashed runs (their owner pid no longer exists); resolves with what it removed.
 * Deleting a namespace takes its veth and tun ends along; a host-side tun whose helper survived goes with `ip link delete`.
 */
export async function sweepStale(): Promise<OwnedNames> {
  for (const pid of staleHelperPids(listProcesses())) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const dir of staleScratchDirs(scratchDirs())) rmSync(dir, { recursive: true, force: true });
  const stale = staleNames(await listOwned());
  await runEach(stale.namespaces.map(deleteNamespaceCommand));
  const { links } = await listOwned();
  const left = links.filter((l) => stale.links.includes(l));
  await runEach(left.map(deleteLinkCommand));
  return stale;
}
