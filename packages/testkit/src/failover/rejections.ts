/**
 * Records every unhandled rejection while installed. Vitest reports them too, but only
 * as a run-level error that names no scenario; a recorder lets each scenario assert that
 * its own fault produced none.
 */
export class RejectionRecorder {
  readonly reasons: unknown[] = [];
  private readonly listener = (reason: unknown) => {
    this.reasons.push(reason);
  };

  install(): this {
    process.on('unhandledRejection', this.listener);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.listener);
  }

  describe(): string[] {
    return this.reasons.map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)));
  }
}
