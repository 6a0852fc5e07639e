/** Waits for the demo's end, or for Ctrl-C, so an interrupted run still cleans up and summarises. */

/** Resolves after `ms`, or earlier on SIGINT/SIGTERM; answers whether it was interrupted. */
export function untilOrInterrupted(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (interrupted: boolean) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(interrupted);
    };
    const onSignal = () => finish(true);
    const timer = setTimeout(() => finish(false), ms);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
