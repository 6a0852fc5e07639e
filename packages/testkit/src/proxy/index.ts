export { startFaultProxy } from './fault-proxy.js';
export type {
  ActiveToxics,
  FaultProxy,
  FaultProxyOptions,
  ProxyMode,
  ProxyTarget,
  ToxicName,
} from './types.js';
