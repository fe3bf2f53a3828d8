/**
 * Where the appliance meets the system: sd_notify, the watchdog, the STATUS line and the LEDs (Appliance), clean
 * shutdown, and the log's repeat throttle.
 */
export { Appliance, type ApplianceOptions } from './appliance.js';
export { LogThrottle } from './log-throttle.js';
export { Shutdown } from './shutdown.js';
export { PATTERNS, StatusLights, type LightState } from './status-lights.js';
export { statusReport, type ProducerReport, type StatusParts, type StatusReport } from './status-report.js';
