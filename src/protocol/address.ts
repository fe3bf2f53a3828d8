/**
 * Where a producer's message WebSocket is: the one rule for what a producer `host` may be, and the address built
 * from it. The configuration checks hosts with it and the connection builds its URL with it.
 */
import { isIP } from 'node:net';
import { MESSAGE_WS_PATH } from './messages.js';

/**
 * What is wrong with `host` as the host of a ws:// URL (a phrase to follow the key's name), or undefined when it
 * is a host name, an IPv4 address or an IPv6 address (bare or in brackets). The value is never echoed: a pasted
 * URL can carry the token.
 */
export function hostProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'is a URL: give only the host name or IP address (port and secure are separate keys)';
  if (/[\s/?#@%\\]/.test(host)) return 'is not a host name or IP address (it contains a space, "/", "?", "#", "@", "%" or "\\")';
  const bracketed = host.startsWith('[') && host.endsWith(']');
  const bare = bracketed ? host.slice(1, -1) : host;
  if (isIP(bare) === 6 || (!bracketed && isIP(bare) === 4)) return undefined;
  if (bracketed || host.includes('::')) return 'is not a valid IPv6 address';
  if (/^[^:]+:\d+$/.test(host)) return 'includes a port: put the port in "port"';
  if (host.length > 253) return 'is longer than 253 characters';
  const label = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;
  return host.split('.').every((l) => label.test(l)) ? undefined : 'is not a valid host name or IP address';
}

/** `ws://host:port/api/v1/message/ws` (wss when secure), an IPv6 host in brackets; without the token. */
export function producerAddress(host: string, port: number, secure: boolean): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return `${secure ? 'wss' : 'ws'}://${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}${MESSAGE_WS_PATH}`;
}
