/**
 * The local control socket's protocol, shared by the daemon (control-server.ts) and the CLI
 * (control-client.ts): one JSON object per line each way.
 *   request:  {"cmd": "status", "args": {...}}
 *   response: {"ok": true, "result": ...} or {"ok": false, "error": "one line"}
 * Requests on one connection are answered in order.
 */

/** A request line longer than this is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** The client refuses a response line longer than this (an export manifest of thousands of keys fits). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface ControlRequest {
  readonly cmd: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

export type ControlResponse = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

/** `status`: one producer's line. */
export interface ProducerReport {
  readonly name: string;
  /** 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped' (the connection's own word). */
  readonly state: string;
  /** ws(s)://host:port/path, never with the token; null when the connection does not say. */
  readonly address: string | null;
  /** Why the last attempt failed or the last connection closed; null while none did. */
  readonly last_error: string | null;
  /** Pairs on the producer's current whitelist. */
  readonly pairs: number;
  /** Keys (pair, timeframe, candle type) held for this producer, and their rows in total. */
  readonly keys: number;
  readonly rows: number;
  /** Seconds since the producer's last message, null when none came yet. */
  readonly last_message_age_s: number | null;
  /** The connection's counters, flattened: {"connects": 2, "messages.analyzed_df": 960, "dropped.frame": 1}. */
  readonly counters: Readonly<Record<string, number>>;
}

/** `status`: the result. */
export interface StatusReport {
  /** The running daemon's version (may differ from the CLI's after an upgrade without restart). */
  readonly version: string;
  readonly pid: number;
  readonly uptime_s: number;
  readonly rss_bytes: number;
  readonly producers: readonly ProducerReport[];
  /**
   * Further parts of the daemon (strategy, trading, appliance), each a titled list of facts the CLI prints as
   * they are: {"trading": {"open trades": 3, "realised profit": "12.40 USDT"}}.
   */
  readonly sections: Readonly<Record<string, Readonly<Record<string, string | number | boolean | null>>>>;
}

/**
 * `export` (no arguments): the daemon writes its frames into `dir`, a directory of its own state directory (the
 * one place its sandbox surely lets it write), and answers with the manifest; the CLI then copies the export to
 * where the user asked for it.
 */
export interface ExportResult {
  readonly dir: string;
  readonly manifest: unknown;
}
