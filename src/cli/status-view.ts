/** The human form of `ft-edge status`: a header line, a table of producers, then the daemon's other sections. */
import type { ProducerReport, StatusReport } from '../appliance/control-protocol.js';

export function renderStatus(r: StatusReport): string {
  const lines = [`ft-edge ${r.version}  pid ${r.pid}  up ${formatDuration(r.uptime_s)}  memory ${formatBytes(r.rss_bytes)} RSS`, ''];
  if (r.producers.length === 0) lines.push('no producers configured');
  else lines.push(...producerTable(r.producers));
  for (const [title, facts] of Object.entries(r.sections)) {
    lines.push('', title);
    const width = Math.max(...Object.keys(facts).map((k) => k.length));
    for (const [k, v] of Object.entries(facts)) lines.push(`  ${k.padEnd(width)}  ${v === null ? '-' : String(v)}`);
  }
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
    if (p.address !== null) out.push(`  ${p.address}`);
    if (p.last_error !== null) out.push(`  last error: ${p.last_error}`);
    // Zero counters (six drop reasons that never happened) would bury the ones that say something.
    const counters = Object.entries(p.counters).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
    if (counters.length > 0) out.push(`  ${counters.join(', ')}`);
  });
  return out;
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
    typeof r.rss_bytes === 'number' && Array.isArray(r.producers) && typeof r.sections === 'object' && r.sections !== null &&
    r.producers.every((p: Partial<ProducerReport>) => typeof p.name === 'string' && typeof p.counters === 'object' && p.counters !== null)
  );
}
