/**
 * `ft-edge alarm`: the LEDs while the daemon is down because of its configuration. `ft-edge run` exits 2 on
 * configuration problems and is not restarted (only the user can fix them); the service's OnFailure= then starts
 * ft-edge-alarm.service, which runs this until ft-edge.service starts again (the two units conflict). It is a
 * process of its own, not a kernel LED trigger left behind by the daemon: the same pattern and timers as the
 * daemon's `error:config`, on raw GPIO pins as well as LED-class LEDs, and handed back when it stops.
 */
import { loadLeds } from '../config/index.js';
import type { LedConfig } from '../config/index.js';
import { Shutdown } from '../appliance/index.js';
import { PATTERNS, StatusLights } from '../appliance/index.js';
import { createLogger } from '../log.js';
import { EXIT, parseOptions, type Command } from './command.js';

/** The Pi's onboard activity LED (ACT in its device trees): used when the configured LEDs are unreadable. */
const FALLBACK_LEDS: readonly LedConfig[] = [{ role: 'status', device: 'led:ACT' }];

const STOP_DEADLINE_MS = 5000;

export const alarm: Command = {
  name: 'alarm',
  summary: 'show a configuration error on the LEDs (ft-edge-alarm.service runs it when the daemon fails)',
  usage: `usage: ft-edge alarm

Blinks the status LEDs (appliance.leds) in the daemon's "bad configuration" pattern, 3 flashes every 2 s,
until SIGTERM or SIGINT. When appliance.leds itself cannot be read, the Pi's ACT LED is used.
ft-edge-alarm.service runs it when ft-edge.service fails; from there ($MONITOR_EXIT_CODE and
$MONITOR_EXIT_STATUS, set by systemd) it shows the pattern only when the daemon exited with 2
(configuration problems) and otherwise exits at once.`,

  async run(argv) {
    parseOptions(argv, {});
    const log = createLogger('info').child('alarm');
    const why = failureCause(process.env);
    if (why !== null) {
      log.info(`ft-edge.service failed (${why}), not because of its configuration: nothing to show (journalctl -u ft-edge says why)`);
      return EXIT.ok;
    }
    const loaded = loadLeds();
    if (!loaded.ok) for (const p of loaded.problems) log.warn(`${p}: using ${FALLBACK_LEDS[0]!.device}`);
    const leds = loaded.ok ? loaded.leds : FALLBACK_LEDS;
    if (leds.length === 0) {
      log.info('no LEDs configured (appliance.leds): nothing to show');
      return EXIT.ok;
    }
    const lights = new StatusLights({ leds, log, state: () => 'error:config' });
    // The LED timers are unref'd (they never keep the daemon alive); this holds the process until a signal.
    const hold = setInterval(() => undefined, 1 << 30);
    const shutdown = new Shutdown({
      notify: { stopping: () => undefined },
      log,
      deadlineMs: STOP_DEADLINE_MS,
      stop: async () => {
        clearInterval(hold);
        await lights.stop();
      },
    });
    await shutdown.start();
    const flashes = PATTERNS['error:config'].length / 2;
    log.info(`ft-edge is down with configuration problems (journalctl -u ft-edge, ft-edge check-config): ${leds.map((l) => l.device).join(', ')} flash ${flashes} times every 2 s until it starts`);
    await lights.start();
    return EXIT.ok;
  },
};

/** Why systemd says the monitored unit failed, null when that is a configuration problem or unknown (by hand). */
function failureCause(env: NodeJS.ProcessEnv): string | null {
  const code = env['MONITOR_EXIT_CODE'];
  const status = env['MONITOR_EXIT_STATUS'];
  if (code === undefined || code === '') return null;
  if (code === 'exited' && status === String(EXIT.config)) return null;
  return `${code} ${status ?? ''}`.trim();
}
