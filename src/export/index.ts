/** Writing held frames out as files: `ft-edge export` (the daemon writes, the CLI copies). */
export { copyExport, exportStore, frameFileName, type Manifest, type ManifestFrame } from './frame-export.js';
