import type { ResilientStoreOptions } from './options.js';

/** Placeholder; the real store lands with the store module. */
export class ResilientStore {
  constructor(readonly options: ResilientStoreOptions) {}
}
