/** `ft-edge run`: the daemon in the foreground, as the systemd service runs it. */
import { loadConfig } from '../config/index.js';
import { RecentLogs, createLogger } from '../log.js';
import { CONFIG_HELP, CONFIG_OPTION, EXIT, configFiles, parseOptions, plural, type Command } from './command.js';

export const run: Command = {
  name: 'run',
  summary: 'run the daemon in the foreground (what the systemd service runs)',
  usage: `usage: ft-edge run [--config FILE]...

Runs the daemon in the foreground until SIGTERM or SIGINT. Logs go to stderr, one line per event, with
syslog priority prefixes for journald. A configuration with problems is reported one problem per line
and the daemon does not start (exit code 2; the service unit should say RestartPreventExitStatus=2).

${CONFIG_HELP}`,

  async run(argv) {
    const opts = parseOptions(argv, { ...CONFIG_OPTION });
    const loaded = loadConfig(configFiles(opts.config));
    const recent = new RecentLogs();
    const log = createLogger(loaded.ok ? loaded.config.log.level : 'info', undefined, '', recent.observe);
    const configLog = log.child('config');
    for (const w of loaded.warnings) configLog.warn(w);
    if (!loaded.ok) {
      for (const p of loaded.problems) configLog.error(p);
      configLog.error(`${plural(loaded.problems.length, 'configuration problem')}: not starting (ft-edge check-config shows the effective configuration)`);
      return EXIT.config;
    }
    // Imported here, not at the top: the daemon's graph (Arrow, SQLite, ws) is not loaded for the light commands.
    const { Daemon } = await import('../main.js');
    const daemon = new Daemon(loaded.config, log, recent);
    try {
      await daemon.start();
    } catch (e) {
      log.error(`cannot start: ${(e as Error).message}`);
      await daemon.stop().catch((s: unknown) => log.error(`stopping after a failed start: ${(s as Error).message}`));
      return EXIT.failed;
    }
    return EXIT.ok; // keeps running on its own handles; the daemon handles SIGTERM/SIGINT
  },
};
