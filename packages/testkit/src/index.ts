export * from './conformance/index.js';
export * from './proxy/index.js';
export * from './servers/index.js';
