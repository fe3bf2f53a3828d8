/**
 * The `ws` package, loaded with require(): imported as ESM, node goes through its wrapper.mjs and the ESM
 * loader, which costs start-up nearly as much again as loading it (46 vs 27 ms here, 5-10x that on a Pi).
 */
import { createRequire } from 'node:module';
import type * as Ws from 'ws';

const ws = createRequire(import.meta.url)('ws') as typeof import('ws');

export const WebSocket = ws.WebSocket;
export type WebSocket = Ws.WebSocket;
export const WebSocketServer = ws.WebSocketServer;
export type WebSocketServer = Ws.WebSocketServer;
export type { ClientOptions, RawData } from 'ws';
