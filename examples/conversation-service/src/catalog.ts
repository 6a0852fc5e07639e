/**
 * The product catalog the service recommends from, shipped as data
 * (data/catalog.json, written once by scripts/generate-catalog.ts and committed).
 */
import { readFileSync } from 'node:fs';

export interface Product {
  readonly id: string;
  readonly title: string;
  /** Where it is sold: a market id such as 'us'. */
  readonly market: string;
  readonly category: string;
  readonly tags: readonly string[];
  readonly price: number;
}

const CATALOG_FILE = new URL('../data/catalog.json', import.meta.url);

let cached: readonly Product[] | undefined;

/** The shipped catalog, read once. */
export function loadCatalog(): readonly Product[] {
  cached ??= JSON.parse(readFileSync(CATALOG_FILE, 'utf8')) as Product[];
  return cached;
}
