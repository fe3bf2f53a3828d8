#!/usr/bin/env node
/**
 * Boot proof of the ft-edge image (run by test/image/boot-proof.sh, `npm run test:image`). Boots a copy of the
 * image under qemu-system-aarch64 (-M virt, -cpu max, software emulation) with the image's own kernel and initrd,
 * with ft-edge.json written onto its FAT partition as a user would, and the demo producer running here on
 * 127.0.0.1 (the guest reaches it as 10.0.2.2 through QEMU user networking), serving what a Pi Zero 2 W (512 MB) is
 * sized for: 100 pairs x 1500 rows x 30 columns. Then checks from outside, through a
 * test-only agent that runs shell commands sent over a virtio serial port: the agent and its unit are written
 * into the test's copy of the disk only (debugfs), and the kernel command line starts it (systemd.wants=).
 *
 * Every wait is bounded and says what it waited for; QEMU and the producer are stopped on every exit path.
 * usage: boot-proof.mjs --image IMG --work DIR
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { image: { type: 'string' }, work: { type: 'string' } } });
if (opt.image === undefined || opt.work === undefined) throw new Error('usage: boot-proof.mjs --image IMG --work DIR');
const ROOT = new URL('../../', import.meta.url).pathname;
const FAT = `${join(opt.work, 'disk.img')}@@4M`;
const SERIAL = join(opt.work, 'serial.log');
const SOCK = join(opt.work, 'agent.sock');
// Cortex-A53: the CPU of the Pi Zero 2 W and Pi 3, the oldest feature set the image must run on (the Pi 4's
// A72 has the same). FT_EDGE_PROOF_CPU=max emulates every feature QEMU knows.
const CPU = process.env.FT_EDGE_PROOF_CPU ?? 'cortex-a53';
const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);
const log = (msg) => console.log(`[proof ${secs(Date.now() - t0).padStart(6)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the test-only guest agent: one line in `ID BASE64(command)`, one line out `ID RC BASE64(output)` ----
const AGENT = `#!/bin/sh
port=/dev/virtio-ports/ft-edge.proof
while [ ! -e "$port" ]; do sleep 0.2; done
exec 3<>"$port"
echo "hello $(cat /proc/sys/kernel/random/boot_id)" >&3
while IFS=' ' read -r id cmd <&3; do
  out=$(printf %s "$cmd" | base64 -d | sh 2>&1); rc=$?
  printf '%s %s %s\\n' "$id" "$rc" "$(printf %s "$out" | base64 -w0)" >&3
done
`;
const AGENT_UNIT = `[Unit]
Description=ft-edge boot proof agent (test only)
[Service]
ExecStart=/bin/sh /usr/local/sbin/ft-edge-proof-agent
Restart=always
`;

class Agent {
  constructor() {
    this.buf = '';
    this.next = 1;
    this.pending = new Map();
    this.boots = [];
    this.waiters = [];
  }
  async connect() {
    await until('QEMU to open the agent socket', () => existsSync(SOCK), 30_000, 100);
    this.sock?.destroy();
    this.buf = '';
    this.sock = connect(SOCK);
    await new Promise((res, rej) => this.sock.once('connect', res).once('error', rej));
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d) => this.data(d));
  }
  data(d) {
    this.buf += d;
    let nl;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      const [a, b, c = ''] = line.split(' ');
      if (a === 'hello') {
        this.boots.push({ id: b, at: Date.now() });
        for (const p of this.pending.values()) p.reject(new Error('the guest rebooted while a command ran'));
        this.pending.clear();
      } else if (this.pending.has(a)) {
        this.pending.get(a).resolve({ rc: Number(b), out: Buffer.from(c, 'base64').toString('utf8') });
        this.pending.delete(a);
      }
    }
  }
  /** Runs a shell command in the guest as root: { rc, out } (stdout and stderr). */
  run(cmd, timeoutMs = 60_000) {
    const id = String(this.next++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer within ${secs(timeoutMs)}s from the guest to: ${cmd}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.sock.write(`${id} ${Buffer.from(cmd).toString('base64')}\n`);
    });
  }
  /** Output of a command that must succeed. */
  async ok(cmd, timeoutMs) {
    const r = await this.run(cmd, timeoutMs);
    if (r.rc !== 0) throw new Error(`\`${cmd}\` failed (exit ${r.rc}): ${r.out.trim().split('\n').slice(-5).join(' | ')}`);
    return r.out;
  }
  async booted(n, timeoutMs) {
    await until(`boot ${n} of the guest to start the agent`, () => this.boots.length >= n, timeoutMs, 250);
    return this.boots[n - 1];
  }
  close() {
    this.sock?.destroy();
  }
}

/** An error that ends a wait at once instead of being retried. */
class Fatal extends Error {}
/**
 * Something this machine lacks (a tool, a file QEMU loads): the guest was never tested. Its own class so that the
 * report's first line tells it apart from a guest that booted and failed a check.
 */
class HostProblem extends Fatal {}

/** The host commands the proof runs, each with the Debian package that has it (image/host-setup.sh installs them). */
const HOST_TOOLS = { 'qemu-system-aarch64': 'qemu-system-arm', debugfs: 'e2fsprogs', mcopy: 'mtools', mdir: 'mtools', mtype: 'mtools', sfdisk: 'fdisk' };
function checkHost() {
  if (!existsSync(opt.image)) throw new HostProblem(`the image ${opt.image} does not exist (npm run image builds it)`);
  const path = (process.env.PATH ?? '').split(':');
  const missing = Object.entries(HOST_TOOLS).filter(([cmd]) => !path.some((d) => existsSync(join(d, cmd))));
  if (missing.length > 0) throw new HostProblem(`missing host tools: ${missing.map(([c, p]) => `${c} (Debian package ${p})`).join(', ')}; run image/host-setup.sh`);
}

/** QEMU's last stderr lines: when it exits before the guest is up, they say what the host lacks. */
const qemuStderr = [];
function qemuExited() {
  const said = qemuStderr.join('').trim().split('\n').filter(Boolean);
  const detail = said.length > 0 ? `: ${said.slice(-3).join(' | ')}` : '';
  // QEMU refuses to start when a file it loads (an option ROM, firmware, the kernel) is missing or unreadable.
  if (agent.boots.length === 0 && /failed to find|could not (open|load)|No such file|Permission denied/i.test(detail)) {
    return new HostProblem(`QEMU could not start, a file it needs is missing on this machine${detail}`);
  }
  return new Error(`QEMU exited (${qemuExit})${detail}`);
}

/** Polls `fn` until it returns a truthy value; throws naming what it waited for and the last value seen. */
async function until(what, fn, timeoutMs, everyMs = 2000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      last = e.message;
    }
    if (Date.now() > end) throw new Error(`timed out after ${secs(timeoutMs)}s waiting for ${what}${last !== undefined && last !== false ? ` (last: ${String(last).slice(0, 300)})` : ''}`);
    if (qemuExit !== undefined) {
      const e = qemuExited();
      e.message += ` while waiting for ${what}`;
      throw e;
    }
    await sleep(everyMs);
  }
}

// ---- the run ----
let qemu;
let qemuExit;
let producer;
const agent = new Agent();
const results = [];
const figures = {};
const PAIRS = 100;
const ROWS = 1500;

async function check(name, fn) {
  const started = Date.now();
  await fn();
  results.push(name);
  log(`ok   ${name} (${secs(Date.now() - started)}s)`);
}

function prepareDisk(token, port) {
  const disk = join(opt.work, 'disk.img');
  execFileSync('cp', ['--sparse=always', opt.image, disk]);
  // A card larger than the image: ft-edge-growroot.service must grow the root filesystem into it.
  execFileSync('truncate', ['-s', '+1G', disk]);
  // What a user does on a laptop: edit ft-edge.json on the FAT partition.
  const config = {
    hostname: 'ft-edge-proof',
    external_message_consumer: {
      enabled: true,
      // 'default': freqtrade's producer name, the one the built-in strategy trades.
      producers: [{ name: 'default', host: '10.0.2.2', port, ws_token: token }],
    },
    appliance: { leds: [{ role: 'status', device: 'led:ACT' }] },
  };
  writeFileSync(join(opt.work, 'ft-edge.json'), `// written by the boot proof\n${JSON.stringify(config, null, 2)}\n`);
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  execFileSync('mcopy', ['-o', '-i', FAT, join(opt.work, 'ft-edge.json'), '::/ft-edge.json'], { env });
  const files = execFileSync('mdir', ['-b', '-i', FAT, '::/'], { env, encoding: 'utf8' }).split('\n');
  const pick = (prefix) => {
    const f = files.map((l) => l.trim().replace(/^::\//, '')).filter((n) => n.startsWith(prefix)).sort().pop();
    if (f === undefined) throw new Error(`no ${prefix}* on the image's FAT partition`);
    execFileSync('mcopy', ['-o', '-i', FAT, `::/${f}`, join(opt.work, prefix)], { env });
    return f;
  };
  installAgent(disk);
  const kernel = pick('vmlinuz-');
  const initrd = pick('initrd.img-');
  const cmdline = execFileSync('mtype', ['-i', FAT, '::/cmdline.txt'], { env, encoding: 'utf8' });
  log(`disk ${disk} (+1 GiB), kernel ${kernel}, initrd ${initrd}; cmdline.txt: ${cmdline.trim()}`);
  return { disk, cmdline };
}

/** Writes the agent and its unit into the root filesystem of the test's disk copy, without mounting it. */
function installAgent(disk) {
  const table = JSON.parse(execFileSync('sfdisk', ['-J', disk], { encoding: 'utf8' })).partitiontable;
  const root = `${disk}?offset=${table.partitions[1].start * table.sectorsize}`;
  writeFileSync(join(opt.work, 'agent.sh'), AGENT);
  writeFileSync(join(opt.work, 'agent.service'), AGENT_UNIT);
  const cmds = [
    `write ${join(opt.work, 'agent.sh')} /usr/local/sbin/ft-edge-proof-agent`,
    `write ${join(opt.work, 'agent.service')} /etc/systemd/system/ft-edge-proof.service`,
    ...['/usr/local/sbin/ft-edge-proof-agent', '/etc/systemd/system/ft-edge-proof.service'].flatMap((f) =>
      [`sif ${f} uid 0`, `sif ${f} gid 0`, `sif ${f} mode 0100644`]),
  ];
  writeFileSync(join(opt.work, 'debugfs.cmds'), cmds.join('\n') + '\n');
  const out = execFileSync('debugfs', ['-w', '-f', join(opt.work, 'debugfs.cmds'), root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (/error|not found|Could not/i.test(out)) throw new Error(`debugfs: ${out}`);
}

function startQemu(disk, cmdline) {
  // The image's own cmdline.txt, with QEMU's serial console instead of the Pi's; timesyncd masked so the guest
  // sends nothing beyond this machine.
  const append = [
    ...cmdline.trim().split(/\s+/).filter((a) => !a.startsWith('console=')),
    'console=ttyAMA0', 'systemd.mask=systemd-timesyncd.service', 'systemd.wants=ft-edge-proof.service',
  ].join(' ');
  const args = [
    // 512 MB: the Pi Zero 2 W, the smallest board the image is for.
    '-M', 'virt', '-cpu', CPU, '-smp', '2', '-m', '512',
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-kernel', join(opt.work, 'vmlinuz-'), '-initrd', join(opt.work, 'initrd.img-'), '-append', append,
    '-drive', `file=${disk},format=raw,if=none,id=sd,cache=unsafe`, '-device', 'virtio-blk-pci,drive=sd',
    // romfile= (none): the NIC's iPXE option ROM is only for network boot, which the proof never does (the kernel
    // is given directly), and Debian does not install it with qemu-system-arm (ipxe-qemu is not in bookworm).
    '-netdev', 'user,id=net0', '-device', 'virtio-net-pci,netdev=net0,romfile=',
    '-device', 'virtio-rng-pci',
    '-chardev', `socket,id=agent,path=${SOCK},server=on,wait=off`,
    '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=agent,name=ft-edge.proof',
    '-serial', `file:${SERIAL}`,
  ];
  const proc = spawn('nice', ['-n', '19', 'qemu-system-aarch64', ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  qemu = proc;
  qemuExit = undefined;
  proc.stderr.setEncoding('utf8').on('data', (d) => {
    process.stderr.write(d);
    qemuStderr.push(d);
    if (qemuStderr.length > 20) qemuStderr.shift();
  });
  // 'close', not 'exit': by then all of QEMU's stderr has arrived. Only the current QEMU's end counts.
  proc.on('close', (code, sig) => {
    if (qemu === proc) qemuExit = sig ?? code;
  });
  writeFileSync(join(opt.work, 'qemu.pid'), String(qemu.pid));
  log(`QEMU started (pid ${qemu.pid})`);
}

const showJson = async (cmd) => JSON.parse(await agent.ok(cmd));
const unitProps = async (props) =>
  Object.fromEntries((await agent.ok(`systemctl show ft-edge -p ${props}`)).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

async function activeProps(what, timeoutMs) {
  let last;
  await until(what, async () => {
    last = await unitProps('ActiveState,SubState,MainPID,NRestarts,ActiveEnterTimestampMonotonic,StatusText');
    if (last.ActiveState === 'failed') throw new Fatal('ft-edge.service failed (journal below)');
    return last.ActiveState === 'active' && last.SubState === 'running';
  }, timeoutMs);
  return last;
}

async function proof() {
  checkHost();
  const token = randomBytes(18).toString('base64url');
  const { startDemoProducer } = await import(join(ROOT, 'dist/src/demo/index.js'));
  // A candle every 10 s for each of the 100 pairs: 10 one-row messages a second, which emulation can follow.
  const pairs = Array.from({ length: PAIRS }, (_, i) => `C${String(i).padStart(3, '0')}/USDT`);
  producer = await startDemoProducer({ host: '127.0.0.1', port: 0, token, pairs, history: ROWS, columns: 30, candleIntervalMs: 10_000 });
  log(`demo producer on 127.0.0.1:${producer.port}`);
  const { disk, cmdline } = prepareDisk(token, producer.port);
  const rootBytes = statSync(opt.image).size;
  startQemu(disk, cmdline);
  await agent.connect();

  let boot = await agent.booted(1, 420_000);
  figures.agentUpS = secs(boot.at - t0);
  let activeAt = 0;
  let active;
  await check('ft-edge.service reaches active (Type=notify: after READY=1)', async () => {
    const p = await activeProps('ft-edge.service to become active', 300_000);
    activeAt = Date.now();
    active = p;
    figures.readyWallS = secs(activeAt - t0);
    figures.kernelToReadyS = (Number(p.ActiveEnterTimestampMonotonic) / 1e6).toFixed(1);
  });
  await check('first boot took ft-edge.json off the FAT partition, token into a 0600 root credential', async () => {
    await agent.ok('test ! -e /boot/firmware/ft-edge.json');
    const mode = (await agent.ok('stat -c "%a %U %F" /etc/ft-edge/ws_token')).trim();
    if (mode !== '600 root regular file') throw new Error(`/etc/ft-edge/ws_token is "${mode}", expected "600 root regular file"`);
    if ((await agent.ok('cat /etc/ft-edge/ws_token')).trim() !== token) throw new Error('/etc/ft-edge/ws_token does not hold the token');
    const local = await agent.ok('cat /etc/ft-edge/local.json');
    if (local.includes(token) || local.includes('ws_token')) throw new Error('/etc/ft-edge/local.json still holds the token');
    if ((await agent.ok('hostname')).trim() !== 'ft-edge-proof') throw new Error('hostname from ft-edge.json not applied');
  });
  await check('root filesystem grown to the whole disk at first boot', async () => {
    const kb = Number((await agent.ok("df -k --output=size / | tail -1")).trim());
    if (!(kb * 1024 > rootBytes * 0.9)) throw new Error(`/ is ${kb} KiB, not grown into the extra 1 GiB`);
  });
  await check(`connects to the producer and holds ${PAIRS} pairs x ${ROWS} rows inside the unit's MemoryHigh`, async () => {
    let seen = 'no answer yet';
    const s = await until(`ft-edge status --json to show ${PAIRS} keys of ${ROWS} rows held`, async () => {
      const s = await showJson('ft-edge status --json');
      const p = s.producers?.[0];
      seen = `${p?.state} keys=${p?.keys} rows=${p?.rows}`;
      return p?.state === 'connected' && p.keys === PAIRS && p.rows === PAIRS * ROWS && s;
    }, 300_000, 1000).catch((e) => {
      throw new Error(`${e.message}; last status: ${seen}`);
    });
    // The burst: from active (READY=1) to every frame stored, wall time as seen from here (an upper bound: polled
    // each second, each poll a CLI start under emulation), and the daemon's CPU since it started (start-up
    // included; utime + stime, in clock ticks).
    figures.readyToStoredWallS = secs(Date.now() - activeAt);
    const { MainPID, NRestarts } = await unitProps('MainPID,NRestarts');
    // The same process throughout: a daemon killed at MemoryMax and restarted would refill, in a new cgroup.
    if (MainPID !== active.MainPID || NRestarts !== active.NRestarts) throw new Error(`the daemon restarted during the burst (MainPID ${active.MainPID} -> ${MainPID}, NRestarts ${active.NRestarts} -> ${NRestarts})`);
    const stat = (await agent.ok(`cat /proc/${MainPID}/stat`)).split(') ')[1].split(' ');
    const hz = Number((await agent.ok('getconf CLK_TCK')).trim());
    figures.startToStoredCpuS = ((Number(stat[11]) + Number(stat[12])) / hz).toFixed(1);
    figures.keys = s.producers[0].keys;
    figures.rssMiB = (s.rss_bytes / 1048576).toFixed(1);
    figures.rssAnonMiB = (Number(/^RssAnon:\s+(\d+)/m.exec(await agent.ok(`cat /proc/${MainPID}/status`))[1]) / 1024).toFixed(1);
    // memory.events counts the times the unit went over MemoryHigh (throttled into reclaim), hit MemoryMax, was OOM-killed.
    const mem = await unitProps('MemoryHigh,MemoryPeak,ControlGroup');
    figures.memoryPeakMiB = (Number(mem.MemoryPeak) / 1048576).toFixed(1);
    figures.memoryHighMiB = (Number(mem.MemoryHigh) / 1048576).toFixed(0);
    const events = await agent.ok(`cat /sys/fs/cgroup${mem.ControlGroup}/memory.events`);
    const count = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(events)?.[1]);
    if (!(count('high') === 0 && count('max') === 0 && count('oom_kill') === 0)) throw new Error(`the unit went over MemoryHigh=${mem.MemoryHigh} or its MemoryMax (memory.events: ${events.trim().replace(/\n/g, ', ')}; peak ${mem.MemoryPeak})`);
  });
  await check('systemctl status ft-edge shows the STATUS= line', async () => {
    const out = await agent.ok('SYSTEMD_COLORS=0 systemctl status --no-pager --lines=0 ft-edge || true');
    const m = /Status: "([^"]+)"/.exec(out);
    if (m === null) throw new Error(`no Status: line in\n${out}`);
    figures.statusLine = m[1];
  });
  let trades;
  await check('the strategy records dry-run trades in the journal', async () => {
    trades = await until('ft-edge trades --json to list a trade', async () => {
      const t = await showJson('ft-edge trades --json');
      return Array.isArray(t) && t.length > 0 ? t : false;
    }, 300_000, 5000);
    figures.trades = trades.length;
  });
  await check('a frozen daemon (SIGSTOP) is restarted by the systemd watchdog', async () => {
    const before = await unitProps('MainPID,NRestarts,WatchdogUSec');
    await agent.ok(`kill -STOP ${before.MainPID}`);
    const frozeAt = Date.now();
    const after = await until('systemd to restart the frozen daemon', async () => {
      const p = await unitProps('ActiveState,SubState,MainPID,NRestarts');
      return p.MainPID !== before.MainPID && p.MainPID !== '0' && p.ActiveState === 'active' ? p : false;
    }, 240_000, 3000);
    if (Number(after.NRestarts) !== Number(before.NRestarts) + 1) throw new Error(`NRestarts ${before.NRestarts} -> ${after.NRestarts}`);
    const j = await agent.ok('journalctl -b -u ft-edge --no-pager -o cat | grep -i watchdog || true');
    if (!/watchdog timeout/i.test(j)) throw new Error(`no watchdog timeout in the journal: ${j.trim()}`);
    figures.watchdogRestartS = secs(Date.now() - frozeAt);
    figures.watchdogUSec = before.WatchdogUSec;
  });
  await check('a configuration error fails the service (exit 2, no restart), shows in systemctl status and on the LEDs', async () => {
    await agent.ok('cp -p /etc/ft-edge/local.json /root/local.json.good');
    // A value the daemon rejects, in the user's own file.
    await agent.ok(`sed -i '0,/^{/s//{ "max_open_trades": "three",/' /etc/ft-edge/local.json`);
    await agent.run('systemctl restart ft-edge', 180_000); // fails: the daemon exits 2 before READY=1
    const failed = await until('ft-edge.service to fail', async () => {
      const p = await unitProps('ActiveState,Result,ExecMainStatus,NRestarts');
      return p.ActiveState === 'failed' ? p : false;
    }, 180_000);
    if (failed.Result !== 'exit-code' || failed.ExecMainStatus !== '2') throw new Error(`failed with ${failed.Result} ${failed.ExecMainStatus}, not exit code 2`);
    await sleep(10_000); // RestartSec=5s: a restart would have begun by now
    const later = await unitProps('ActiveState,NRestarts');
    if (later.ActiveState !== 'failed' || later.NRestarts !== failed.NRestarts) throw new Error(`not left failed: ${JSON.stringify(later)}`);
    const status = await agent.ok('SYSTEMD_COLORS=0 systemctl status --no-pager --lines=10 ft-edge || true');
    if (!/max_open_trades: .*local\.json/.test(status)) throw new Error(`the problem is not in systemctl status:\n${status}`);
    await until('ft-edge-alarm.service to show the error', async () => {
      const active = (await agent.run('systemctl is-active ft-edge-alarm')).out.trim();
      const said = await agent.ok('journalctl -u ft-edge-alarm --no-pager -o cat');
      return active === 'active' && /flash 3 times every 2 s/.test(said);
    }, 120_000);
    await agent.ok('mv /root/local.json.good /etc/ft-edge/local.json');
    await agent.run('systemctl restart ft-edge', 180_000);
    await activeProps('ft-edge.service to start again with the fixed configuration', 300_000);
    const alarm = (await agent.run('systemctl is-active ft-edge-alarm')).out.trim();
    if (alarm !== 'inactive') throw new Error(`ft-edge-alarm.service is ${alarm} after ft-edge.service started again`);
  });
  await check('the journal of trades survives a reboot', async () => {
    const ids = (list) => list.map((t) => `${t.pair}@${t.open_timestamp}`);
    const before = ids(await showJson('ft-edge trades --json'));
    await agent.run('systemctl reboot', 10_000).catch(() => undefined);
    boot = await agent.booted(2, 420_000);
    if (boot.id === agent.boots[0].id) throw new Error('the guest did not reboot');
    await activeProps('ft-edge.service to become active after the reboot', 300_000);
    const after = new Set(ids(await showJson('ft-edge trades --json')));
    const lost = before.filter((id) => !after.has(id));
    if (lost.length > 0) throw new Error(`trades lost across the reboot: ${lost.join(', ')}`);
    if ((await agent.run('systemctl is-enabled ft-edge-growroot.service')).out.trim() !== 'disabled') throw new Error('growroot did not disable itself');
  });
  await check('acknowledged trades survive a power cut (QEMU killed: the guest loses everything it did not sync)', async () => {
    // A trade as acknowledged: opened (its key), or closed too. After the cut it must still be there, and still be
    // closed if it was (an open one may have closed since).
    const states = (list) => list.map((t) => `${t.pair}@${t.open_timestamp}${t.is_open ? '' : ' closed'}`);
    // Cut the power right after the journal changed (a trade opened or closed): its newest decision was acknowledged
    // moments before. With no change within 2 minutes, what it holds is cut off all the same.
    const first = states(await showJson('ft-edge trades --json'));
    let acknowledged = first;
    await until('a decision in this boot', async () => {
      acknowledged = states(await showJson('ft-edge trades --json'));
      return acknowledged.join() !== first.join();
    }, 120_000, 1000).catch(() => undefined);
    const dead = qemu;
    dead.kill('SIGKILL');
    await new Promise((r) => (dead.exitCode !== null || dead.signalCode !== null ? r() : dead.once('close', r)));
    rmSync(SOCK, { force: true });
    startQemu(disk, cmdline);
    await agent.connect();
    boot = await agent.booted(3, 420_000);
    await activeProps('ft-edge.service to become active after the power cut', 300_000);
    const after = new Set(states(await showJson('ft-edge trades --json')));
    const lost = acknowledged.filter((s) => !after.has(s) && !after.has(`${s} closed`));
    if (lost.length > 0) throw new Error(`acknowledged decisions lost in the power cut: ${lost.join(', ')}`);
    figures.powerCutRounds = 1;
    figures.powerCutTradesKept = acknowledged.length;
  });
  await check('the guest powers off with ft-edge stopped cleanly', async () => {
    await agent.run('systemctl poweroff', 10_000).catch(() => undefined);
    const end = Date.now() + 180_000;
    while (qemuExit === undefined && Date.now() < end) await sleep(500);
    if (qemuExit === undefined) throw new Error('the guest did not power off within 180 s');
    const serial = readFileSync(SERIAL, 'utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    if (!/Stopped ft-edge\.service/.test(serial)) throw new Error('no "Stopped ft-edge.service" on the serial console');
    if (/ft-edge\.service: (State 'stop-sigterm' timed out|Killing)/.test(serial)) throw new Error('ft-edge had to be killed at power-off');
  });
}

function stop() {
  agent.close();
  if (qemu !== undefined && qemuExit === undefined) qemu.kill('SIGKILL');
  return producer?.stop();
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (stop(), process.exit(130)));

let failed = 0;
try {
  await proof();
} catch (e) {
  failed = 1;
  // First line: whose fault it is. A host problem means the guest was never tested.
  const whose = e instanceof HostProblem ? 'host' : qemu === undefined ? 'proof' : 'guest';
  console.error(`FAIL ${whose}: ${e.message}`);
  if (existsSync(SERIAL)) console.error(`--- last lines of the serial console (${SERIAL}) ---\n${readFileSync(SERIAL, 'utf8').split('\n').slice(-40).join('\n')}`);
  if (qemuExit === undefined && agent.boots.length > 0) {
    const j = await agent.run('journalctl -b -u ft-edge -u ft-edge-alarm -u ft-edge-import-config -u ft-edge-growroot --no-pager -n 40', 20_000).catch(() => undefined);
    if (j !== undefined) console.error(`--- guest journal ---\n${j.out}`);
  }
} finally {
  await stop();
}
console.log(`figures: ${JSON.stringify({ ...figures, totalS: secs(Date.now() - t0) })}`);
console.log(`${results.length} passed, ${failed} failed`);
process.exit(failed);
