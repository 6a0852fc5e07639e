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

/** A stamped line: `[  12.34s] kind  text`; `kind` is a short fixed-width label. */
export function say(kind: string, text: string, tint: Paint = (t) => t): void {
  console.log(`${colour.dim(stamp())} ${tint(kind.padEnd(6))} ${tint(text)}`);
}

/** An unstamped line, for headers and the summary. */
export function print(text = ''): void {
  console.log(text);
}
