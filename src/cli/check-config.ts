/** `ft-edge check-config`: the effective configuration, where each value came from, warnings and problems. */
import { loadConfig, maskSecrets } from '../config/index.js';
import { CONFIG_HELP, CONFIG_OPTION, EXIT, configFiles, parseOptions, plural, type Command } from './command.js';

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate the configuration and the strategy, and print them, tokens masked',
  usage: `usage: ft-edge check-config [--config FILE]...

Loads the configuration exactly as \`ft-edge run\` would, and resolves the strategy and its trading
settings as \`run\` does, then prints the effective configuration as JSON on stdout, every token shown
as "***". On stderr: the sources read, in merge order (later ones win), which source set each value,
then one line per warning and per problem. Exit code 0 when all is valid, 2 when there are problems
(then nothing is printed on stdout).

${CONFIG_HELP}`,

  async run(argv) {
    const opts = parseOptions(argv, { ...CONFIG_OPTION });
    const loaded = loadConfig(configFiles(opts.config));
    const err = (line: string): boolean => process.stderr.write(line + '\n');
    for (const s of loaded.sources) err(`source: ${s}`);
    const problems = loaded.ok ? await strategyProblems(loaded.config) : loaded.problems;
    for (const w of loaded.warnings) err(`warning: ${w}`);
    if (!loaded.ok || problems.length > 0) {
      for (const p of problems) err(`problem: ${p}`);
      err(plural(problems.length, 'problem'));
      return EXIT.config;
    }
    const shipped = loaded.sources[0];
    for (const [source, keys] of bySource(loaded.origins)) {
      if (source !== shipped) err(`${source === 'automatic' ? 'automatic' : `from ${source}`}: ${keys.join(', ')}`);
    }
    err(`the rest: ft-edge's defaults (${shipped})`);
    const c = loaded.config;
    err(c.live === null
      ? 'live trading: off (dry_run true: paper trades only)'
      : `live trading: ON: real orders on ${c.live.exchange} ${c.trading_mode}, stake currency ${c.stake_currency}`);
    const api = c.api_server;
    err(api.enabled ? `REST API for FreqUI: on, http://${api.listen_ip_address.includes(':') ? `[${api.listen_ip_address}]` : api.listen_ip_address}:${api.listen_port}/api/v1, user ${api.username}` : 'REST API for FreqUI: off (api_server.enabled false)');
    process.stdout.write(JSON.stringify(maskSecrets(loaded.config), null, 2) + '\n');
    err('configuration is valid');
    return EXIT.ok;
  },
};

/** The strategy as `run` loads it, and the trading settings it resolves to with the configuration. */
async function strategyProblems(config: Parameters<typeof import('../strategy/index.js').checkTradingConfig>[0]): Promise<string[]> {
  // Imported here: the strategy runtime is not needed by the light commands.
  const { checkTradingConfig } = await import('../strategy/index.js');
  return checkTradingConfig(config);
}

/** source -> the keys it set, in the order sources were read. */
function bySource(origins: Readonly<Record<string, string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, source] of Object.entries(origins)) {
    const list = out.get(source) ?? [];
    list.push(key);
    out.set(source, list);
  }
  return out;
}
