/**
 * Writes data/catalog.json, the product catalog the recommendation engine scores.
 * Run once and commit the result (`pnpm --filter @resilient-store/examples catalog`):
 * the generator is seeded, so running it again writes the same file byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Product } from '../src/catalog.js';

/** mulberry32: a tiny seeded generator, so the catalog is the same on every machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MARKETS = ['us', 'uk', 'de', 'fr', 'jp'] as const;

/** Per category: the nouns of its titles, the tags it draws from, and its price range. */
const CATEGORIES: Record<string, { nouns: string[]; tags: string[]; price: [number, number] }> = {
  running: {
    nouns: ['Running Shoe', 'Trail Shoe', 'Running Jacket', 'Race Belt', 'Running Socks'],
    tags: ['running', 'trail', 'marathon', 'lightweight', 'cushioned', 'waterproof', 'outdoor'],
    price: [15, 220],
  },
  audio: {
    nouns: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable'],
    tags: ['wireless', 'noise-cancelling', 'bluetooth', 'hifi', 'portable', 'bass', 'music'],
    price: [25, 600],
  },
  coffee: {
    nouns: ['Espresso Machine', 'Grinder', 'Pour-Over Kit', 'Coffee Beans', 'Milk Frother'],
    tags: ['coffee', 'espresso', 'organic', 'single-origin', 'barista', 'kitchen', 'gift'],
    price: [9, 900],
  },
  books: {
    nouns: ['Novel', 'Cookbook', 'Travel Guide', 'Biography', 'Science Book'],
    tags: ['fiction', 'cooking', 'travel', 'history', 'science', 'bestseller', 'gift'],
    price: [8, 60],
  },
  camera: {
    nouns: ['Mirrorless Camera', 'Lens', 'Tripod', 'Camera Bag', 'Action Camera'],
    tags: ['photography', 'travel', 'video', 'portable', 'waterproof', 'outdoor', '4k'],
    price: [30, 2500],
  },
  laptop: {
    nouns: ['Laptop', 'Laptop Stand', 'USB-C Dock', 'Keyboard', 'Mouse'],
    tags: ['work', 'gaming', 'portable', 'lightweight', 'ergonomic', 'wireless', 'student'],
    price: [20, 3000],
  },
  outdoor: {
    nouns: ['Tent', 'Sleeping Bag', 'Backpack', 'Headlamp', 'Water Filter'],
    tags: ['camping', 'hiking', 'outdoor', 'lightweight', 'waterproof', 'travel', 'trail'],
    price: [12, 800],
  },
  kitchen: {
    nouns: ['Chef Knife', 'Cast Iron Pan', 'Blender', 'Rice Cooker', 'Cutting Board'],
    tags: ['kitchen', 'cooking', 'baking', 'vegan', 'gift', 'durable', 'compact'],
    price: [10, 500],
  },
};

const ADJECTIVES = [
  'Aero',
  'Summit',
  'Nova',
  'Urban',
  'Classic',
  'Pro',
  'Swift',
  'Terra',
  'Pulse',
  'Zen',
  'Atlas',
  'Orbit',
  'Vista',
  'Echo',
  'Prime',
  'Drift',
];

const PRODUCTS = 320;

function pick<T>(random: () => number, from: readonly T[]): T {
  return from[Math.floor(random() * from.length)]!;
}

export function generateCatalog(seed = 20_240_601): Product[] {
  const random = seeded(seed);
  const categories = Object.keys(CATEGORIES);
  return Array.from({ length: PRODUCTS }, (_, i) => {
    const category = categories[i % categories.length]!;
    const spec = CATEGORIES[category]!;
    const tags = new Set<string>();
    while (tags.size < 3) tags.add(pick(random, spec.tags));
    const [low, high] = spec.price;
    const price = Math.round((low + random() * (high - low)) * 100) / 100;
    return {
      id: `p${String(i + 1).padStart(4, '0')}`,
      title: `${pick(random, ADJECTIVES)} ${pick(random, spec.nouns)}`,
      market: MARKETS[Math.floor(random() * MARKETS.length)]!,
      category,
      tags: [...tags].sort(),
      price,
    };
  });
}

/** JSON laid out as the repository's formatter lays it out, so a rerun changes nothing. */
function layout(products: readonly Product[]): string {
  const item = (product: Product) =>
    Object.entries(product)
      .map(([key, value]) => `    "${key}": ${JSON.stringify(value).replace(/","/g, '", "')}`)
      .join(',\n');
  return `[\n${products.map((p) => `  {\n${item(p)}\n  }`).join(',\n')}\n]\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../data/catalog.json', import.meta.url));
  writeFileSync(target, layout(generateCatalog()));
  console.log(`wrote ${target}`);
}
