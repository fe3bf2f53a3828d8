/**
 * `ft-edge demo`: the built-in demo producer on 127.0.0.1 and the daemon connected to it, so a newcomer sees
 * frames flow and dry-run trades open within seconds. Self-contained: shipped defaults only (the machine's
 * /etc/ft-edge and $NODE_CONFIG are not read), a random token, state and control socket in a temp directory
 * that is removed on exit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import type { DemoProducer } from '../demo/index.js';
import { EXIT, parseOptions, printError, UsageError, type Command } from './command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'run the daemon against the built-in demo producer on 127.0.0.1',
  usage: `usage: ft-edge demo [--strategy NAME] [--api PORT [--cors ORIGIN]]

Starts the demo producer (realistic analyzed frames on an accelerated clock) on a free port of
127.0.0.1 with a random token, and runs the daemon against it in the foreground: frames arrive
within seconds and the strategy dry-run trades on them. Uses the shipped defaults only; state and
the control socket live in a temporary directory, removed on exit. Stop with Ctrl-C.

  --strategy NAME  strategy to trade with (default: the shipped default, UpstreamSignals)
  --api PORT       also serve freqtrade's REST API for FreqUI on 127.0.0.1:PORT, user demo,
                   password demo (loopback only, as the shipped defaults allow such a password)
  --cors ORIGIN    the origin FreqUI is served from, e.g. http://127.0.0.1:3000 (with --api)`,

  async run(argv) {
    const opts = parseOptions(argv, { strategy: { type: 'string' }, api: { type: 'string' }, cors: { type: 'string' } });
    if (opts.cors !== undefined && opts.api === undefined) throw new UsageError('option --cors needs --api');
    if (opts.api !== undefined && !/^[0-9]{1,5}$/.test(opts.api)) throw new UsageError(`option --api takes a port number, got ${opts.api}`);
    const api = opts.api === undefined ? undefined : { port: Number(opts.api), cors: opts.cors };
    const dir = mkdtempSync(join(tmpdir(), 'ft-edge-demo-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const token = randomBytes(24).toString('base64url');

    const { startDemoProducer } = await import('../demo/index.js');
    const producer = await startDemoProducer({ host: '127.0.0.1', port: 0, token });
    let code: number = EXIT.failed;
    try {
      code = await runAgainst(producer, token, dir, opts.strategy, api);
      return code;
    } finally {
      if (code !== EXIT.ok) await producer.stop(); // else its socket would keep the process alive
    }
  },
};

/** The demo's REST API: on loopback, with the demo's own login. */
interface DemoApi {
  readonly port: number;
  readonly cors: string | undefined;
}

/** Runs the daemon against the started demo producer; the exit code (problems already reported). */
async function runAgainst(
  producer: DemoProducer, token: string, dir: string, strategy: string | undefined, api: DemoApi | undefined,
): Promise<number> {
  const socket = join(dir, 'control.sock');
  const loaded = loadConfig({
    userConfig: false,
    override: {
      external_message_consumer: {
        enabled: true,
        producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: token }],
      },
      control: { socket },
      datadir: join(dir, 'state'),
      ...(strategy === undefined ? {} : { strategy }),
      ...(api === undefined ? {} : {
        api_server: {
          enabled: true, listen_ip_address: '127.0.0.1', listen_port: api.port, username: 'demo', password: 'demo',
          CORS_origins: api.cors === undefined ? [] : [api.cors],
        },
      }),
    },
  });
  if (!loaded.ok) {
    for (const p of loaded.problems) printError(p);
    return EXIT.config;
  }
  const log = createLogger(loaded.config.log.level);

  const { Daemon } = await import('../main.js');
  const daemon = new Daemon(loaded.config, log);
  // The daemon stops itself on SIGINT/SIGTERM; the demo producer is ours to stop. Should no handler of the
  // daemon's be listening, this one stops the daemon too, so Ctrl-C always ends the demo.
  const onSignal = (signal: NodeJS.Signals): void => {
    void producer.stop().catch(() => {});
    if (process.listenerCount(signal) === 0) void daemon.stop().catch(() => {});
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await daemon.start();
  } catch (e) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log.error(`cannot start: ${(e as Error).message}`);
    await daemon.stop().catch(() => {});
    return EXIT.failed;
  }
  const self = selfCommand();
  const listening = daemon.api.address();
  process.stdout.write(
    `demo producer on ws://127.0.0.1:${producer.port} (random token, not shown)\n` +
      (api === undefined ? '' : listening === null
        ? `REST API: not serving (the daemon's log says why)\n`
        : `REST API for FreqUI on http://127.0.0.1:${listening.port} (user demo, password demo)\n`) +
      `state in ${dir} (removed on exit)\n` +
      `in another terminal: ${self} status --socket ${socket}\n` +
      `                     ${self} trades --datadir ${join(dir, 'state')}\n` +
      'stop with Ctrl-C\n',
  );
  return EXIT.ok;
}

/**
 * How this user runs this ft-edge from their shell: `ft-edge` when that is on PATH and is this very program,
 * else `node` and the path to it (from a clone, nothing is on PATH).
 */
function selfCommand(): string {
  const me = realpathSync(process.argv[1] ?? '');
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      if (dir !== '' && realpathSync(join(dir, 'ft-edge')) === me) return 'ft-edge';
    } catch {
      // not in this directory
    }
  }
  const rel = relative(process.cwd(), me);
  return `node ${rel.startsWith('..') ? me : rel}`;
}
