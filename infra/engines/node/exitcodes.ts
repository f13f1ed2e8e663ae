// k6's process exit codes (errext/exitcodes/codes.go) and an error type that
// carries one, like errext.WithExitCodeIfNone.

export const ExitCodes = {
  Ok: 0,
  /** 99 before k6 v0.33.0 */
  CloudTestRunFailed: 97,
  CloudFailedToGetProgress: 98,
  ThresholdsHaveFailed: 99,
  SetupTimeout: 100,
  TeardownTimeout: 101,
  GenericTimeout: 102,
  ScriptStoppedFromRESTAPI: 103,
  InvalidConfig: 104,
  ExternalAbort: 105,
  CannotStartRESTAPI: 106,
  ScriptException: 107,
  ScriptAborted: 108,
  GoPanic: 109,
  MarkedAsFailed: 110,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

export class ExitCodeError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** k6 calls os.Exit(-1) for errors without a code, i.e. status 255. */
export const UNKNOWN_ERROR_EXIT = 255;

export function exitCodeOf(err: unknown): number {
  return err instanceof ExitCodeError ? err.exitCode : UNKNOWN_ERROR_EXIT;
}
