/** freqtrade's REST API and message websocket, for FreqUI and freqtrade-client. */
export { API_LIMITS, ApiServer, JWT_KEY_FILE, type ApiLimits, type ApiServerOptions } from './api-server.js';
export { API_VERSION, type BotSources } from './bot.js';
