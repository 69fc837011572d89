import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MissingDependencyError } from '../../core/errors.ts';
import { executable, onPath } from '../../core/find-programs.ts';

/**
 * Where the media servers the lab can run live, and whether they can run here: nginx with the RTMP module (Debian
 * `nginx-light libnginx-mod-rtmp`) and node-media-server (npm, pure JS, run by this Node). Used by the servers
 * themselves, by `lab run`'s preflight (exit 2 with these hints) and by `lab doctor`.
 */

export type ServerName = 'nginx-rtmp' | 'node-media-server';

export const SERVER_INSTALL_HINT = {
  'nginx-rtmp':
    'install nginx with the RTMP module: `npm run setup` (Debian/Ubuntu: apt-get install -y nginx-light libnginx-mod-rtmp) or point NGINX_PATH at an nginx binary and NGINX_RTMP_MODULE at its ngx_rtmp_module.so',
  'node-media-server': 'install node-media-server: `npm ci` (it is a dependency of the lab: npm package node-media-server 4.x)',
} as const;

export interface NginxInstall {
  binary: string;
  /** ngx_rtmp_module.so, loaded with load_module (Debian builds it as a dynamic module). */
  rtmpModule: string;
}

const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/local/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/lib64/nginx/modules', '/etc/nginx/modules'];

/** nginx (NGINX_PATH, else PATH, else /usr/sbin/nginx) and its RTMP module (NGINX_RTMP_MODULE, else the usual folders). */
export function findNginxRtmp(): NginxInstall {
  const fromEnv = process.env.NGINX_PATH;
  if (fromEnv && !executable(fromEnv)) throw new MissingDependencyError(`NGINX_PATH=${fromEnv} is not an executable file; ${SERVER_INSTALL_HINT['nginx-rtmp']}`);
  const binary = fromEnv || onPath('nginx') || ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find(executable);
  if (!binary) throw new MissingDependencyError(`nginx not found; ${SERVER_INSTALL_HINT['nginx-rtmp']}`);
  const candidates = [process.env.NGINX_RTMP_MODULE, ...MODULE_DIRS.map((d) => join(d, 'ngx_rtmp_module.so'))].filter((p): p is string => Boolean(p));
  const rtmpModule = candidates.find((p) => existsSync(p));
  if (!rtmpModule) throw new MissingDependencyError(`found ${binary} but not its RTMP module ngx_rtmp_module.so (looked in ${candidates.join(', ')}); ${SERVER_INSTALL_HINT['nginx-rtmp']}`);
  return { binary, rtmpModule };
}

export interface NodeMediaServerInstall {
  /** node-media-server's own command-line entry (bin/app.js), run with this Node. */
  entry: string;
  version: string;
}

/** node-media-server's bin/app.js from node_modules (a dependency of the lab). */
export function findNodeMediaServer(): NodeMediaServerInstall {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('node-media-server/package.json');
  } catch {
    throw new MissingDependencyError(`node-media-server not found in node_modules; ${SERVER_INSTALL_HINT['node-media-server']}`);
  }
  const { version } = require(manifest) as { version: string };
  const entry = join(dirname(manifest), 'bin', 'app.js');
  if (!existsSync(entry)) throw new MissingDependencyError(`node-media-server ${version} has no bin/app.js; ${SERVER_INSTALL_HINT['node-media-server']}`);
  if (Number(version.split('.')[0]) !== 4) throw new MissingDependencyError(`node-media-server ${version} is installed, the lab drives 4.x; ${SERVER_INSTALL_HINT['node-media-server']}`);
  return { entry, version };
}

export interface ServerCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

/** What `lab doctor` says about the media servers (optional: only paths with `server:` need them). */
export function serverChecks(): ServerCheck[] {
  const check = (name: ServerName, probe: () => string): ServerCheck => {
    try {
      return { name: `server ${name}`, ok: true, detail: probe() };
    } catch (err) {
      return { name: `server ${name}`, ok: false, detail: (err as Error).message.split(';')[0] ?? String(err), hint: SERVER_INSTALL_HINT[name] };
    }
  };
  return [
    check('nginx-rtmp', () => {
      const found = findNginxRtmp();
      return `${found.binary} with ${found.rtmpModule}`;
    }),
    check('node-media-server', () => {
      const found = findNodeMediaServer();
      return `node-media-server ${found.version} (${found.entry})`;
    }),
  ];
}

/** What keeps the run's servers from starting here, one line per path naming the fix; `lab run` exits 2 on any. */
export function serverProblems(paths: Array<{ id: string; server: ServerName }>): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    try {
      if (path.server === 'nginx-rtmp') findNginxRtmp();
      else findNodeMediaServer();
    } catch (err) {
      problems.push(`path "${path.id}" (server: ${path.server}): ${(err as Error).message}`);
    }
  }
  return problems;
}
