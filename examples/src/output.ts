/**
 * Everything the demo prints goes through here: one line at a time, each prefixed with
 * the seconds since the load started, so log lines, events and the timeline interleave
 * into one readable story. Colour only on a terminal, and never with NO_COLOR set.
 */

const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;

type Paint = (text: string) => string;
const paint =
  (code: number): Paint =>
  (text) =>
    useColour ? `\u001b[${code}m${text}\u001b[0m` : text;

export const colour = {
  dim: paint(2),
  bold: paint(1),
  red: paint(31),
  green: paint(32),
  yellow: paint(33),
  cyan: paint(36),
} as const;

let origin = performance.now();

/** Starts the demo clock: from now on lines are stamped with seconds since this call. */
export function startClock(): void {
  origin = performance.now();
}

/** Seconds since the clock started. */
export function elapsedS(): number {
  return (performance.now() - origin) / 1000;
}

function stamp(): string {
  return `[${elapsedS().toFixed(2).padStart(6)}s]`;
}

/** Every labelled line said so far, uncoloured, for the report. */
const said: string[] = [];

/** A stamped line: `[  12.34s] kind  text`; `kind` is a short fixed-width label. */
export function say(kind: string, text: string, tint: Paint = (t) => t): void {
  const at = stamp();
  if (kind !== '') said.push(`${at} ${kind.padEnd(6)} ${text}`);
  console.log(`${colour.dim(at)} ${tint(kind.padEnd(6))} ${tint(text)}`);
}

/** The labelled lines (demo actions, events, log lines) said so far; the timeline is not kept. */
export function saidSoFar(): readonly string[] {
  return said;
}

/** An unstamped line, for headers and the summary. */
export function print(text = ''): void {
  console.log(text);
}
