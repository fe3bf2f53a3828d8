/** `ft-edge check-config`: the effective configuration, its sources, warnings and problems. */
import { loadConfig } from '../config/index.js';
import { maskSecrets } from '../config/index.js';
import { EXIT, parseOptions, plural, type Command } from './command.js';

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate the configuration and print it, tokens masked',
  usage: `usage: ft-edge check-config

Loads the configuration exactly as \`ft-edge run\` would and prints the effective configuration as JSON
on stdout, every token shown as "***". On stderr: the sources read, in merge order (later ones win),
then one line per warning and per problem. Exit code 0 when the configuration is valid, 2 when it has
problems (then nothing is printed on stdout).`,

  async run(argv) {
    parseOptions(argv, {});
    const loaded = loadConfig();
    const err = (line: string): boolean => process.stderr.write(line + '\n');
    for (const s of loaded.sources) err(`source: ${s}`);
    for (const w of loaded.warnings) err(`warning: ${w}`);
    if (!loaded.ok) {
      for (const p of loaded.problems) err(`problem: ${p}`);
      err(plural(loaded.problems.length, 'problem'));
      return EXIT.config;
    }
    process.stdout.write(JSON.stringify(maskSecrets(loaded.config), null, 2) + '\n');
    err('configuration is valid');
    return EXIT.ok;
  },
};
