/** A CLI command: its help text, and `run`, which resolves to the process exit code. */
export interface Command {
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
