/**
 * The human form of `ft-edge status`: a header line, a table of producers, then strategy, trading and the
 * current problems, worded from the daemon's status data (which `status --json` prints as it is).
 */
import type { ProducerReport, StatusReport } from '../appliance/index.js';
import type { KeyReason, TradingStatus } from '../strategy/index.js';

export function renderStatus(r: StatusReport, now: number = Date.now()): string {
  const lines = [`ft-edge ${r.version}  pid ${r.pid}  up ${formatDuration(r.uptime_s)}  memory ${formatBytes(r.rss_bytes)} RSS`, ''];
  if (r.producers.length === 0) lines.push('no producers configured');
  else lines.push(...producerTable(r.producers));
  for (const [title, facts] of tradingSections(r.trading, now)) {
    lines.push('', title);
    const width = Math.max(...Object.keys(facts).map((k) => k.length));
    for (const [k, v] of Object.entries(facts)) lines.push(`  ${k.padEnd(width)}  ${v}`);
  }
  if (r.problems.length > 0) lines.push('', 'problems', ...r.problems.map((p) => `  ${p.text}`));
  return lines.join('\n');
}

function producerTable(producers: readonly ProducerReport[]): string[] {
  const header = ['PRODUCER', 'STATE', 'PAIRS', 'KEYS', 'ROWS', 'LAST MESSAGE'];
  const rows = producers.map((p) => [
    p.name,
    p.state,
    String(p.pairs),
    String(p.keys),
    String(p.rows),
    p.last_message_age_s === null ? 'never' : `${formatDuration(p.last_message_age_s)} ago`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 3, 4]);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header)];
  producers.forEach((p, i) => {
    out.push(line(rows[i]!));
    out.push(`  ${p.address}`);
    if (p.last_error !== null) out.push(`  last error: ${p.last_error.message}`);
    const counters = countersOf(p).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
    if (counters.length > 0) out.push(`  ${counters.join(', ')}`);
  });
  return out;
}

/**
 * A producer's counters in words, zeros left out by the caller (six drop reasons that never happened would bury
 * the ones that say something).
 */
function countersOf(p: ProducerReport): [string, number][] {
  return [
    ['connects', p.connects],
    ['failed attempts', p.failed_attempts],
    ['bytes', p.bytes],
    ...Object.entries(p.messages).map(([t, n]): [string, number] => [`${t} messages`, n]),
    ...Object.entries(p.dropped).map(([why, n]): [string, number] => [`dropped ${why}`, n]),
    ['re-requests', p.re_requests],
  ];
}

type Facts = Record<string, string>;

/** The strategy and trading sections: facts in words. */
function tradingSections(s: TradingStatus, now: number): [string, Facts][] {
  if (!s.running) return [['strategy', { name: s.strategy, state: `off: ${s.problems.join('; ')}` }]];
  const d = s.last_decision;
  return [
    ['strategy', {
      name: s.strategy,
      from: s.origin,
      state: s.disabled === null ? 'running' : `disabled: ${s.disabled}`,
      'disabled for': keyList(s.disabled_keys),
    }],
    ['trading', {
      mode: s.mode === 'live' ? 'LIVE: real orders on the exchange' : 'dry-run (paper trades)',
      'open trades': s.max_open_trades === null ? `${s.open_trades}` : `${s.open_trades} of ${s.max_open_trades}`,
      'realised profit': `${s.realised_profit} ${s.stake_currency}`,
      ...unrealised(s),
      'available stake': `${s.available_stake} ${s.stake_currency}`,
      'last decision': d === null ? 'none yet' : `${d.pair} ${d.action} ${d.detail} (${formatDuration((now - d.at) / 1000)} ago)`,
      'entries wait': s.entries_blocked ?? keyList(s.waiting),
    }],
  ];
}

/** The open trades' profit at their last price, when there are open trades. */
function unrealised(s: Extract<TradingStatus, { running: true }>): Facts {
  const priced = s.open_positions.filter((p) => p.profit_abs !== null);
  if (s.open_positions.length === 0) return {};
  const sum = Number(priced.reduce((a, p) => a + p.profit_abs!, 0).toFixed(8));
  const all = priced.length === s.open_positions.length;
  return { 'unrealised profit': `${sum} ${s.stake_currency}${all ? '' : ` (${priced.length} of ${s.open_positions.length} open trades priced)`}` };
}

function keyList(list: readonly KeyReason[]): string {
  if (list.length === 0) return 'none';
  const shown = list.slice(0, 3).map((k) => `${k.pair} ${k.timeframe} ${k.candle_type}: ${k.reason}`).join('; ');
  return list.length > 3 ? `${shown}; and ${list.length - 3} more` : shown;
}

/** 42s, 5m 03s, 3h 12m, 2d 4h. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor(s / 3600) % 24}h`;
}

/** 812 KiB, 48.2 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Does `v` look like a StatusReport (a daemon of another version may answer differently)? */
export function isStatusReport(v: unknown): v is StatusReport {
  const r = v as Partial<StatusReport> | null;
  return (
    typeof r === 'object' && r !== null && typeof r.version === 'string' && typeof r.uptime_s === 'number' &&
    typeof r.rss_bytes === 'number' && Array.isArray(r.producers) && Array.isArray(r.problems) &&
    typeof r.trading === 'object' && r.trading !== null &&
    r.producers.every((p: Partial<ProducerReport>) =>
      typeof p.name === 'string' && typeof p.messages === 'object' && p.messages !== null && typeof p.dropped === 'object' && p.dropped !== null)
  );
}
