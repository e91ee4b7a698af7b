// User-facing errors: anything a user can cause ends as one sentence and an exit code,
// never a stack trace. The CLI's top level turns a UserError into `error: <message>`.

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `gateway status`: nothing is running (the LSB/systemd status convention). */
  notRunning: 3,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
  /** EX_CONFIG from sysexits.h: the gateway refuses to start on invalid config. */
  config: 78,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A refusal or failure explained to the model (and shown in the transcript) in one sentence. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
