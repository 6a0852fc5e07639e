/**
 * Every server the testkit starts is recorded here until it is stopped, so that a test file
 * that fails half-way (or forgets `stop()`) still leaves no process or temp directory behind:
 * `stopAllServers()` runs after each file (see `@resilient-store/testkit/vitest-setup`), and a
 * synchronous `exit` hook SIGKILLs whatever is left when the owning process ends.
 */
export interface TrackedResource {
  /** Graceful stop; removes the resource's temp directory. */
  stop(): Promise<void>;
  /** Last resort, synchronous because it runs inside process 'exit': SIGKILL and delete files. */
  killSync(): void;
}

const live = new Set<TrackedResource>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const resource of live) {
    try {
      resource.killSync();
    } catch {
      // Nothing useful can be done while the process is exiting; keep cleaning the others.
    }
  }
  live.clear();
}

/** Records a live resource; the returned function forgets it (call it once it is stopped). */
export function track(resource: TrackedResource): () => void {
  if (!exitHookInstalled) {
    process.on('exit', killAllSync);
    exitHookInstalled = true;
  }
  live.add(resource);
  return () => {
    live.delete(resource);
  };
}

/** Number of servers started and not yet stopped in this process. */
export function liveServerCount(): number {
  return live.size;
}

/**
 * Stops every server this process started and has not stopped yet. Resources that fail to stop
 * gracefully are killed; the first such failure is rethrown after all were handled.
 */
export async function stopAllServers(): Promise<void> {
  const resources = [...live];
  const results = await Promise.allSettled(resources.map((r) => r.stop()));
  let firstError: unknown;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    firstError ??= result.reason;
    const resource = resources[i];
    if (resource === undefined) return;
    try {
      resource.killSync();
    } catch {
      // Already reported through firstError.
    }
    live.delete(resource);
  });
  if (firstError !== undefined) throw firstError;
}
