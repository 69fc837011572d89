/**
 * Every tunable of network impairment that is not part of a scenario, in one commented object (like
 * harness/config/defaults.ts). Change them here, not inline.
 */
export const networkDefaults = {
  /**
   * Private range the per-namespace /30 links are cut from. 10.213.0.0/16 is unlikely to be a real network; the lab
   * refuses to start when a route of the machine overlaps it (set LAB_NET_POOL=a.b.0.0/16 to use another range).
   */
  addressPool: '10.213.0.0/16',
  /**
   * Behind a NAT (network.nat) the viewer's private LAN: .1 is the router's LAN end, .2 the viewer. The same /30 in
   * every path (it exists only between a router namespace and its viewer namespace, never on the host), like homes
   * that all use 192.168.x.
   */
  natLan: { network: '192.168.213.0/30', router: '192.168.213.1', viewer: '192.168.213.2', prefixLength: 30 },
  /**
   * Ports on a namespaced path's veth host end (an address of the run's own, so low ports are free): coturn listens on
   * `iceServerPort` for STUN and TURN over UDP, TCP and TLS (coturn tells TLS from plain TCP on one port), so a viewer
   * behind `udp-blocked` (TCP to `webPorts` only) reaches it; the lab's web server (page, signaling, WHEP) listens on
   * `labWebPort` for such viewers. `silentStunPort` is where `ice.stun: silent` points: requests to it are dropped.
   */
  iceServerPort: 443,
  labWebPort: 80,
  webPorts: [80, 443],
  silentStunPort: 3478,
  /** Every namespace, veth, tun and probe the lab creates is named `ll<pid in base 36>-<role><index>`. */
  namePrefix: 'll',
  /**
   * Impairment backend: `netem` (tc netem + tbf on the veth ends; needs a kernel with sch_netem), `emulator` (the
   * veth's IP traffic is steered by tc through a userspace link emulator; for kernels without sch_netem) or `auto`
   * (netem when the kernel has it). LAB_NET_BACKEND overrides it.
   */
  backend: 'auto' as 'auto' | 'netem' | 'emulator',
  /** Condition of a link before any scenario field applies: a perfect link. */
  condition: {
    delayMs: 0,
    jitterMs: 0,
    jitterDistribution: 'normal' as const,
    lossPercent: 0,
    /** Mean loss burst length in packets: 1 = independent random loss, > 1 = Gilbert-Elliott bursts. */
    lossBurst: 1,
    reorderPercent: 0,
    /** 0 = unlimited. */
    rateKbps: 0,
    /** Queue of the rate limiter, as time at the limited rate (tbf latency); packets beyond it are dropped. */
    queueMs: 200,
  },
  /** netem `rate` given with jitter only so that netem keeps packets in order (far above any emulated link). */
  netemOrderingRate: '10gbit',
  /** netem / emulator packet queue limit (packets in flight per direction). */
  queueLimitPackets: 10_000,
  /** tbf bucket: at least this many bytes (≥ 2 full-size packets), or this many ms at the rate, whichever is more. */
  tbfMinBurstBytes: 3200,
  tbfBurstMs: 10,
  /** Timeouts for ip/tc commands and for the emulator's helper processes to come up (ms). */
  commandTimeoutMs: 10_000,
  helperReadyTimeoutMs: 10_000,
  /** The emulator reports packet counters this often (ms). */
  emulatorStatsIntervalMs: 1000,
} as const;

export type NetworkDefaults = typeof networkDefaults;
