/** `ft-edge strategies`: the built-in strategies, what they read and what can be set. */
import { EXIT, parseOptions, type Command } from './command.js';

export const strategies: Command = {
  name: 'strategies',
  summary: 'list the built-in strategies with their columns and parameters',
  usage: `usage: ft-edge strategies [--json]

Lists the strategies \`strategy\` can name: what each trades on, the producer columns it reads, its
parameters (override them with strategy_params), and its own minimal_roi and stoploss (the config's win).
A strategy of your own is the absolute path of a .js/.mjs module (see the README).

  --json         print them as JSON`,

  async run(argv) {
    const opts = parseOptions(argv, { json: { type: 'boolean' } });
    const { builtInStrategies } = await import('../strategy/index.js');
    const list = builtInStrategies().map((s) => ({
      name: s.definition.name,
      description: s.definition.description ?? null,
      producer: s.producer,
      timeframe: s.timeframe,
      candle_types: s.candleTypes,
      columns: s.columns,
      parameters: s.params,
      can_short: s.canShort,
      minimal_roi: s.definition.minimal_roi ?? null,
      stoploss: s.definition.stoploss ?? null,
    }));
    if (opts.json === true) {
      process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      return EXIT.ok;
    }
    const lines: string[] = [];
    for (const s of list) {
      lines.push(s.name, ...(s.description === null ? [] : [`  ${s.description}`]));
      const params = Object.entries(s.parameters).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
      lines.push(
        `  reads      ${s.columns.length === 0 ? 'OHLCV only' : s.columns.join(', ')} of producer "${s.producer}" (${s.timeframe ?? 'any timeframe'}, ${s.candle_types.join('/')})`,
        `  parameters ${params === '' ? 'none' : params}`,
        `  own roi    ${JSON.stringify(s.minimal_roi)}, stoploss ${s.stoploss ?? 'none'}${s.can_short ? ', trades shorts on futures' : ''}`,
        '',
      );
    }
    process.stdout.write(lines.join('\n'));
    return EXIT.ok;
  },
};
