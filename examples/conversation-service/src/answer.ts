/**
 * Composes the answer text. This stands in for the language-model call of the
 * original service: it waits `delayMs` (ANSWER_DELAY_MS, default 20) to take the time
 * such a call takes, then writes a plain sentence from the recommendations. Swap in a
 * real model call here; nothing else in the service depends on how the text is made.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Recommendation } from './recommend.js';

export async function composeAnswer(
  recommendations: readonly Recommendation[],
  turn: number,
  delayMs: number,
): Promise<string> {
  if (delayMs > 0) await sleep(delayMs);
  if (recommendations.length === 0) {
    return 'I found nothing in the catalog for that yet; tell me more about what you need.';
  }
  const [first, ...rest] = recommendations;
  const opening = turn === 1 ? 'Here is what I would suggest' : 'Building on what we discussed';
  const others = rest.length > 0 ? `, followed by ${rest.map((r) => r.title).join(', ')}` : '';
  return `${opening}: ${first!.title} (${first!.price.toFixed(2)})${others}.`;
}
