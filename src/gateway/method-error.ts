// A typed RPC failure: handlers throw it, the connection turns it into an error frame.
import type { ErrorCode } from "../protocol/schema.js";

export class MethodError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
