/**
 * The daemon's local control socket: newline-delimited JSON over a unix socket, the server the daemon runs and
 * the client the CLI commands use.
 */
export { CONTROL_LIMITS, ControlServer, type ControlHandler, type ControlLimits } from './control-server.js';
export { ControlError, request, type ControlErrorCode } from './control-client.js';
export { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, type ControlRequest, type ControlResponse, type ExportResult } from './control-protocol.js';
