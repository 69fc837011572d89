import { execFileSync } from 'node:child_process';
import { ownerPid } from '../../harness/network/link-names.ts';

/** Names of lab-made namespaces and interfaces owned by `pid` that exist right now (`ip netns list`, `ip link`). */
export function ownedBy(pid: number): string[] {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '');
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '');
  return [...netns, ...links].filter((n) => n && ownerPid(n) === pid);
}
