/**
 * Runs the netem backend's tc command lines (harness/network/tc-commands.ts) on a real kernel, on a veth pair into a
 * scratch namespace, the way a run applies them: the base condition, then each change with the same `replace`
 * commands. Checks that the kernel accepts each one, that `tc qdisc show` then shows the asked condition and nothing
 * of the one before, and measures what the link does with UDP (an echo server in the namespace; the uplink stays
 * unimpaired): delay, loss share and burst length, the jitter's distribution after a change of distribution, the rate.
 * Root only; for the netem VM (scripts/netem-vm), not part of the test suite. Exit 1 when anything is wrong.
 *   node --import tsx scripts/netem-vm/tc-matrix.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { commandLine } from '../../harness/network/ip-commands.ts';
import { linkNames, runPrefix } from '../../harness/network/link-names.ts';
import { planLink, type LinkCondition } from '../../harness/network/link-plan.ts';
import type { NetworkSpec } from '../../harness/network/network-schema.ts';
import { netemCommands } from '../../harness/network/tc-commands.ts';

const names = linkNames(runPrefix(), 97);
const ns = names.namespace;
const host = '10.213.254.1';
const peer = '10.213.254.2';
const port = 9000;
let failures = 0;
const fail = (what: string) => {
  failures++;
  console.log(`  ✗ ${what}`);
};
const ok = (what: string) => console.log(`  ✓ ${what}`);
const sh = (program: string, ...args: string[]) => execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const cond = (spec: NetworkSpec): LinkCondition => planLink(spec).steps[0]!.state.downlink;
const qdiscs = () => sh('tc', 'qdisc', 'show', 'dev', names.hostVeth).trim();

/** Applies a condition to the downlink (host end) with the lab's commands; false when the kernel rejected one. */
function apply(label: string, c: LinkCondition): boolean {
  console.log(`\n— ${label}`);
  for (const cmd of netemCommands({ device: names.hostVeth }, c)) {
    try {
      execFileSync(cmd.program, cmd.args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      console.log(`  $ ${commandLine(cmd)}`);
    } catch (err) {
      fail(`rejected: ${commandLine(cmd)}: ${String((err as { stderr?: string }).stderr ?? err).trim()}`);
      return false;
    }
  }
  const shown = qdiscs();
  console.log(shown.replace(/^/gm, '    '));
  const netem = shown.split('\n').find((l) => l.startsWith('qdisc netem 1: root')) ?? '';
  const child = shown.split('\n').find((l) => / parent 1:1 /.test(l)) ?? '';
  const expect = (cond: boolean, what: string) => (cond ? ok(what) : fail(what));
  expect(netem !== '', 'netem is the root qdisc');
  expect(new RegExp(`delay ${c.delayMs}(\\.0)?ms`).test(netem) || (c.delayMs === 0 && !/delay/.test(netem)), `delay ${c.delayMs} ms shown`);
  expect(c.jitterMs > 0 === new RegExp(`delay \\S+\\s+${c.jitterMs}(\\.0)?ms`).test(netem), `jitter ${c.jitterMs ? `${c.jitterMs} ms` : 'none'} shown`);
  // A rate or reorder left out by a change stays in netem's dump; what matters is that reorder is off (no gap).
  if (c.jitterMs > 0) expect(/ rate 10Gbit/.test(netem), 'netem ordering rate present (jitter)');
  else console.log(`  · no jitter: netem ordering rate ${/ rate /.test(netem) ? 'left over from before (keeps the order only)' : 'absent'}`);
  expect(c.lossPercent > 0 === / loss /.test(netem), `loss ${c.lossPercent ? (c.lossBurst > 1 ? 'gemodel' : 'random') : 'none'} shown`);
  if (c.lossPercent > 0) expect(c.lossBurst > 1 === /gemodel/.test(netem), `loss model ${c.lossBurst > 1 ? 'gemodel' : 'random'}`);
  if (c.reorderPercent > 0) expect(new RegExp(`reorder ${c.reorderPercent}% .*gap 1`).test(netem), `reorder ${c.reorderPercent} % (gap 1) shown`);
  else expect(!/ gap /.test(netem), `reordering off (no gap${/ reorder /.test(netem) ? '; the dump still shows the old reorder share' : ''})`);
  expect(c.rateKbps > 0 ? new RegExp(`^qdisc tbf \\S+ parent 1:1 rate ${c.rateKbps % 1000 === 0 ? `${c.rateKbps / 1000}Mbit` : `${c.rateKbps}Kbit`}`).test(child) : /^qdisc pfifo /.test(child), `child ${c.rateKbps ? `tbf ${c.rateKbps} kbit` : 'pfifo'}`);
  return true;
}

/** UDP through the link: sends `count` datagrams of `size` bytes every `gapMs`, returns each one's round trip (NaN = lost). */
const arrivals: number[] = [];
async function probe(count: number, gapMs: number, size = 64): Promise<number[]> {
  arrivals.length = 0;
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  const sent = new Array<bigint>(count);
  const rtt = new Array<number>(count).fill(Number.NaN);
  sock.on('message', (msg) => {
    const i = msg.readUInt32BE(0);
    if (i < count) rtt[i] = Number(process.hrtime.bigint() - sent[i]!) / 1e6;
    arrivals.push(performance.now());
  });
  const payload = Buffer.alloc(size);
  for (let i = 0; i < count; i++) {
    payload.writeUInt32BE(i, 0);
    sent[i] = process.hrtime.bigint();
    sock.send(payload, port, peer);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await new Promise((r) => setTimeout(r, 1500));
  sock.close();
  return rtt;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

function lossStats(rtt: number[]): { share: number; meanBurst: number } {
  let lost = 0;
  let bursts = 0;
  rtt.forEach((v, i) => {
    if (!Number.isNaN(v)) return;
    lost++;
    if (i === 0 || !Number.isNaN(rtt[i - 1]!)) bursts++;
  });
  return { share: lost / rtt.length, meanBurst: bursts ? lost / bursts : 0 };
}

sh('ip', 'netns', 'add', ns);
const echo = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `
  const s = require('node:dgram').createSocket('udp4');
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  s.bind(${port}, '${peer}', () => console.log('ready'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  sh('ip', 'link', 'add', names.hostVeth, 'type', 'veth', 'peer', 'name', names.nsVeth, 'netns', ns);
  sh('ip', 'addr', 'add', `${host}/30`, 'dev', names.hostVeth);
  sh('ip', 'link', 'set', names.hostVeth, 'up');
  sh('ip', '-n', ns, 'addr', 'add', `${peer}/30`, 'dev', names.nsVeth);
  sh('ip', '-n', ns, 'link', 'set', names.nsVeth, 'up');
  sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  await new Promise<void>((resolve, reject) => {
    echo.stdout!.once('data', () => resolve());
    echo.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });

  console.log(`tc-matrix: kernel ${sh('uname', '-r').trim()}, ${sh('tc', '-V').trim()}; downlink on ${names.hostVeth}`);

  // 1. Every kind of condition, and each change the way a schedule applies it (replace over the previous one).
  const sequence: Array<[string, NetworkSpec]> = [
    ['unimpaired (network: {})', {}],
    ['+100 ms (calibrate)', { delayMs: 100 }],
    ['lossy-wifi: 30 ± 30 ms normal, 2 % loss in bursts of 3', { delayMs: 30, jitterMs: 30, jitterDistribution: 'normal', lossPercent: 2, lossBurst: 3 }],
    ['3g-like: 150 ± 10 ms, 400 kb/s, queue 500 ms (pfifo → tbf)', { delayMs: 150, jitterMs: 10, rateKbps: 400, queueMs: 500 }],
    ['pareto jitter, 1 % random loss, 5 % reorder, 1 Mb/s', { delayMs: 50, jitterMs: 20, jitterDistribution: 'pareto', lossPercent: 1, reorderPercent: 5, rateKbps: 1000 }],
    ['paretonormal jitter, 3 % loss in bursts of 2', { delayMs: 50, jitterMs: 20, jitterDistribution: 'paretonormal', lossPercent: 3, lossBurst: 2 }],
    ['uniform jitter 50 ± 20 ms (after paretonormal)', { delayMs: 50, jitterMs: 20, jitterDistribution: 'uniform' }],
    ['50 ms, no jitter, no loss (tbf → pfifo, rate and loss dropped)', { delayMs: 50 }],
    ['unimpaired again', {}],
  ];
  for (const [label, spec] of sequence) apply(label, cond(spec));

  // 2. What the link does.
  console.log('\n— behaviour (UDP echo through the veth, downlink impaired)');
  if (apply('unimpaired', cond({}))) {
    const base = median((await probe(50, 5)).filter((v) => !Number.isNaN(v)));
    console.log(`  round trip unimpaired: median ${base.toFixed(2)} ms`);
    if (apply('+100 ms', cond({ delayMs: 100 }))) {
      const d = median((await probe(50, 5)).filter((v) => !Number.isNaN(v)));
      const added = d - base;
      (Math.abs(added - 100) < 5 ? ok : fail)(`+100 ms one way: round trip median ${d.toFixed(2)} ms, added ${added.toFixed(2)} ms`);
    }
    if (apply('5 % random loss', cond({ lossPercent: 5 }))) {
      const { share, meanBurst } = lossStats(await probe(2000, 1));
      (share > 0.03 && share < 0.07 ? ok : fail)(`5 % random loss: lost ${(share * 100).toFixed(2)} % of 2000, mean burst ${meanBurst.toFixed(2)} packets`);
    }
    if (apply('5 % loss in bursts of 3 (Gilbert-Elliott)', cond({ lossPercent: 5, lossBurst: 3 }))) {
      const { share, meanBurst } = lossStats(await probe(5000, 1));
      (share > 0.03 && share < 0.08 && meanBurst > 2 && meanBurst < 4.5 ? ok : fail)(
        `5 % loss, bursts of 3: lost ${(share * 100).toFixed(2)} % of 5000, mean burst ${meanBurst.toFixed(2)} packets`,
      );
    }
    // netem keeps a distribution table until it is given another one: uniform (no table) after normal must not keep
    // drawing from the normal table. Uniform 50 ± 20 ms never goes below 30 ms; normal σ = 20 ms draws below it 16 % of the time (fewer arrive that early: the ordering rate holds some back).
    apply('normal jitter 50 ± 20 ms', cond({ delayMs: 50, jitterMs: 20, jitterDistribution: 'normal' }));
    const normal = (await probe(200, 25)).filter((v) => !Number.isNaN(v)).map((v) => v - base);
    if (apply('uniform jitter 50 ± 20 ms (changed from normal)', cond({ delayMs: 50, jitterMs: 20, jitterDistribution: 'uniform' }))) {
      const uniform = (await probe(200, 25)).filter((v) => !Number.isNaN(v)).map((v) => v - base);
      const below = (xs: number[]) => xs.filter((v) => v < 29).length / xs.length;
      console.log(`  added delay < 29 ms: normal ${(below(normal) * 100).toFixed(1)} %, uniform ${(below(uniform) * 100).toFixed(1)} % (min ${Math.min(...uniform).toFixed(1)} ms, max ${Math.max(...uniform).toFixed(1)} ms)`);
      (below(uniform) < 0.02 ? ok : fail)('uniform jitter after normal draws from [30, 70] ms (not the normal table kept from before)');
    }
    if (apply('400 kb/s, queue 200 ms', cond({ rateKbps: 400 }))) {
      const rtt = await probe(400, 5, 1000); // 1000-byte datagrams every 5 ms: 1.6 Mb/s offered
      const got = rtt.filter((v) => !Number.isNaN(v)).length;
      // Echoes come back at the bottleneck's pace; tbf counts 1042 bytes per datagram (Ethernet + IP + UDP + 1000).
      const kbps = ((arrivals.length - 1) * 1042 * 8) / (arrivals.at(-1)! - arrivals[0]!);
      (kbps > 360 && kbps < 440 ? ok : fail)(`400 kb/s: ${got} of 400 datagrams through, arriving at ${kbps.toFixed(0)} kb/s`);
    }
  }
} finally {
  echo.kill();
  try {
    sh('ip', 'netns', 'delete', ns);
  } catch {
    /* gone */
  }
}
console.log(`\ntc-matrix: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
