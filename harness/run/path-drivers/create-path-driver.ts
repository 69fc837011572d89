import type { PlannedPath } from '../run-plan.ts';
import { DashDriver } from './dash-driver.ts';
import { HlsDriver } from './hls-driver.ts';
import { ServerPathDriver } from './server-driver.ts';
import { serverOf } from '../../scenario/delivery.ts';
import { LlHlsDriver } from './ll-hls-driver.ts';
import type { PathDriver } from './path-driver.ts';
import { WebrtcDriver } from './webrtc-driver.ts';
import { WhepUrlDriver } from './whep-url-driver.ts';

/** The one place that maps a path kind to its driver. */
export function createPathDriver(path: PlannedPath): PathDriver {
  switch (path.spec.kind) {
    case 'hls':
      return serverOf(path.spec) === 'lab' ? new HlsDriver(path, path.spec) : new ServerPathDriver(path, path.spec);
    case 'flv':
      return new ServerPathDriver(path, path.spec);
    case 'webrtc':
      return serverOf(path.spec) === 'url' ? new WhepUrlDriver(path, path.spec) : new WebrtcDriver(path, path.spec);
    case 'll-hls':
      return new LlHlsDriver(path, path.spec);
    case 'll-dash':
      return new DashDriver(path, path.spec);
    case 'dash':
      return serverOf(path.spec) === 'lab' ? new DashDriver(path, path.spec) : new ServerPathDriver(path, path.spec);
  }
}
