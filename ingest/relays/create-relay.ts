import { UsageError } from '../../harness/errors.ts';
import { FakeRelay } from './fake-relay.ts';
import type { Relay, RelayName, RelayOptions } from './relay.ts';
import { WeriftRelay } from './werift-relay.ts';

/** The relay factory: one place that knows every backend. */
export function createRelay(name: RelayName, options: RelayOptions): Relay {
  switch (name) {
    case 'werift':
      return new WeriftRelay(options);
    case 'fake':
      return new FakeRelay(options);
    case 'mediasoup':
      throw new UsageError(
        `relay "mediasoup" needs a mediasoup worker, which is not installed here; install mediasoup (npm install mediasoup, which downloads or builds its worker) or set MEDIASOUP_WORKER_BIN, or use relay: werift`,
      );
  }
}
