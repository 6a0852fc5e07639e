/** Waits for the demo's end, or for Ctrl-C, so an interrupted run still cleans up and summarises. */

/**
 * Resolves after `ms`, or earlier on SIGINT/SIGTERM; answers whether it was interrupted.
 * After an interruption further signals are taken too and change nothing: a Ctrl-C in a
 * terminal reaches every process of the group, and tsx passes it on once more, so the
 * demo would otherwise be killed by the second copy before its summary.
 */
export function untilOrInterrupted(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onSignal = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(false);
    }, ms);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
