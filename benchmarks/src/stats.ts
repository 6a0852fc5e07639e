/** Small statistics for a handful of samples. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (0..1) of `values`; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** `items` rotated left by `by` places: over n rounds every item takes every position once. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  const shift = ((by % n) + n) % n;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
