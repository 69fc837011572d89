import { JanusRelay } from './janus-relay.ts';
import { MediasoupRelay } from './mediasoup-relay.ts';
import type { Relay, RelayName, RelayOptions } from './relay.ts';
import { WeriftRelay } from './werift-relay.ts';

/**
 * The relay factory: one place that knows every backend. Backends that need something installed (janus, a
 * mediasoup worker) say so from start(), with the install hint; `lab run` checks the same before anything starts.
 */
export function createRelay(name: RelayName, options: RelayOptions): Relay {
  switch (name) {
    case 'werift':
      return new WeriftRelay(options);
    case 'janus':
      return new JanusRelay(options);
    case 'mediasoup':
      return new MediasoupRelay(options);
  }
}
