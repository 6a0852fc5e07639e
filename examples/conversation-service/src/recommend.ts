/**
 * The recommendation engine: deterministic scoring of the shipped catalog, so the same
 * request always gets the same answer (and a test can say which products come first).
 *
 * A product scores for each query word found in its title, category or tags, for each
 * stated preference among its tags, for sharing a category with a previous purchase, and
 * for being sold in the asker's market; products already bought are left out.
 */
import { loadCatalog, type Product } from './catalog.js';

export interface RecommendationRequest {
  readonly query: string;
  readonly marketId: string;
  readonly previousPurchases: readonly string[];
  readonly preferences: readonly string[];
}

export interface Recommendation {
  readonly id: string;
  readonly title: string;
  readonly price: number;
  /** In [0, 1]: the product's score over the best possible score for this request. */
  readonly relevance_score: number;
}

const WEIGHTS = { queryWord: 3, preference: 2, purchasedCategory: 1.5, market: 1 } as const;
const RESULTS = 5;

/** Lower-case words of two letters or more; the rest of the query says nothing to the engine. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9][a-z0-9-]+/g) ?? [];
}

function productWords(product: Product): Set<string> {
  return new Set([...words(product.title), product.category, ...product.tags]);
}

/**
 * The topic of a query: the catalog category it names most (by the words of that
 * category's products), or 'general'. Recommendations are cached per user and topic.
 */
export function topicOf(query: string): string {
  const asked = new Set(words(query));
  const hits = new Map<string, number>();
  for (const product of loadCatalog()) {
    for (const word of productWords(product)) {
      if (asked.has(word)) hits.set(product.category, (hits.get(product.category) ?? 0) + 1);
    }
  }
  let best = 'general';
  let bestHits = 0;
  // Sorted so that a tie is decided the same way every time.
  for (const [category, count] of [...hits].sort(([a], [b]) => a.localeCompare(b))) {
    if (count > bestHits) [best, bestHits] = [category, count];
  }
  return best;
}

export function recommend(request: RecommendationRequest): Recommendation[] {
  const catalog = loadCatalog();
  const asked = [...new Set(words(request.query))];
  const preferences = new Set(request.preferences.flatMap(words));
  const bought = new Set(request.previousPurchases);
  const boughtCategories = new Set(catalog.filter((p) => bought.has(p.id)).map((p) => p.category));
  const bestPossible =
    asked.length * WEIGHTS.queryWord +
    preferences.size * WEIGHTS.preference +
    (boughtCategories.size > 0 ? WEIGHTS.purchasedCategory : 0) +
    WEIGHTS.market;

  const scored = catalog
    .filter((product) => !bought.has(product.id))
    .map((product) => {
      const own = productWords(product);
      const score =
        asked.filter((w) => own.has(w)).length * WEIGHTS.queryWord +
        product.tags.filter((t) => preferences.has(t)).length * WEIGHTS.preference +
        (boughtCategories.has(product.category) ? WEIGHTS.purchasedCategory : 0) +
        (product.market === request.marketId ? WEIGHTS.market : 0);
      return { product, score };
    })
    .filter(({ score }) => score > 0)
    // Highest score first; equal scores by id, so the order never depends on chance.
    .sort((a, b) => b.score - a.score || a.product.id.localeCompare(b.product.id));

  return scored.slice(0, RESULTS).map(({ product, score }) => ({
    id: product.id,
    title: product.title,
    price: product.price,
    relevance_score: Math.round((score / bestPossible) * 1000) / 1000,
  }));
}
