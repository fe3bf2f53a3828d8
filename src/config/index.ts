/**
 * The configuration: loading (node-config sources, a freqtrade config file, tokens), validation with one line per
 * problem, and the validated Config type the daemon runs with. Nothing else reads node-config.
 */
export { loadConfig, loadLeds, loadLocalPaths, type LoadOptions, type LoadResult } from './load.js';
export { MASK, maskSecrets } from './mask.js';
export { ETC_DIR, PACKAGE_ROOT, SHIPPED_DEFAULTS, packageVersion } from './locations.js';
export { suggestion } from './validator.js';
export { parseLedDevice, type LedDevice } from './led-device.js';
export { configJsonSchema } from './json-schema.js';
export type {
  ApplianceConfig, Config, ExchangeConfig, ExternalMessageConsumerConfig, LedConfig, LiveAccount, MinimalRoi, ProducerConfig,
} from './types.js';
export { LIVE_EXCHANGES } from './live-account.js';
