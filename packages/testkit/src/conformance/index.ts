export { describeBackendConformance } from './describe-backend-conformance.js';
export type { ConformanceOptions } from './options.js';
