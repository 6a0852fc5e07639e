import type { ActiveToxics, ProxyMode, ToxicName } from './types.js';

/**
 * Bandwidth is enforced by writing slices worth this much time at the capped rate: small
 * enough that throughput looks smooth, large enough that timer overhead stays negligible.
 */
const BANDWIDTH_SLICE_MS = 50;

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  }
}

/**
 * The proxy's current mode and toxics. Every link reads it for every chunk it moves, so a
 * change applies to open connections immediately.
 */
export class FaultState {
  mode: ProxyMode = 'up';
  private active: ActiveToxics = {};

  get toxics(): ActiveToxics {
    return structuredClone(this.active);
  }

  get limitBytes(): number | undefined {
    return this.active.limitData?.bytes;
  }

  setLatency(ms: number, jitterMs: number): void {
    requireNonNegative('latency ms', ms);
    requireNonNegative('latency jitterMs', jitterMs);
    this.active.latency = { ms, jitterMs };
  }

  setBandwidth(bytesPerSecond: number): void {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
      throw new RangeError(`bandwidth must be a finite number > 0, got ${bytesPerSecond}`);
    }
    this.active.bandwidth = { bytesPerSecond };
  }

  setSlicer(maxChunkBytes: number, delayMs: number): void {
    requirePositiveInteger('slicer maxChunkBytes', maxChunkBytes);
    requireNonNegative('slicer delayMs', delayMs);
    this.active.slicer = { maxChunkBytes, delayMs };
  }

  setLimitData(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(`limitData bytes must be an integer >= 0, got ${bytes}`);
    }
    this.active.limitData = { bytes };
  }

  setSlowClose(ms: number): void {
    requireNonNegative('slowClose ms', ms);
    this.active.slowClose = { ms };
  }

  remove(name: ToxicName): void {
    delete this.active[name];
  }

  removeAll(): void {
    this.active = {};
  }

  /** Delay for a chunk arriving now: latency ± a uniform jitter, never negative. */
  drawLatency(): number {
    const latency = this.active.latency;
    if (latency === undefined) return 0;
    const offset = (Math.random() * 2 - 1) * latency.jitterMs;
    return Math.max(0, latency.ms + offset);
  }

  /** Extra delay before a peer's close is passed on. */
  closeDelay(): number {
    return this.drawLatency() + (this.active.slowClose?.ms ?? 0);
  }

  /** Largest single write the slicer and bandwidth toxics allow. */
  maxWriteBytes(): number {
    let max = Number.POSITIVE_INFINITY;
    const { slicer, bandwidth } = this.active;
    if (slicer !== undefined) max = slicer.maxChunkBytes;
    if (bandwidth !== undefined) {
      const slice = Math.floor((bandwidth.bytesPerSecond * BANDWIDTH_SLICE_MS) / 1000);
      max = Math.min(max, Math.max(1, slice));
    }
    return max;
  }

  /**
   * Minimum pause after writing `bytes` before the next write on the same link: the slicer's
   * gap or the time those bytes take at the capped bandwidth, whichever is longer.
   */
  pauseAfter(bytes: number): number {
    const { slicer, bandwidth } = this.active;
    const gap = slicer?.delayMs ?? 0;
    const transfer = bandwidth === undefined ? 0 : (bytes * 1000) / bandwidth.bytesPerSecond;
    return Math.max(gap, transfer);
  }
}
