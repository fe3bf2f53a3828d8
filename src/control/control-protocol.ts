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

/**
 * `export` (no arguments): the daemon writes its frames into `dir`, a directory of its own state directory (the
 * one place its sandbox surely lets it write), and answers with the manifest; the CLI then copies the export to
 * where the user asked for it.
 */
export interface ExportResult {
  readonly dir: string;
  readonly manifest: unknown;
}
