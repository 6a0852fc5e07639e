export { describeBackendConformance } from './describe-backend-conformance.js';
export {
  CONFORMANCE_GROUPS,
  type ConformanceGroup,
  type ConformanceOptions,
  ConformanceOptionsError,
  type ConformanceOptOuts,
  type OptOutReasons,
} from './options.js';
