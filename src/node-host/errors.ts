// A node command's typed failure; the host sends it back as the invoke's error.
import type { ErrorCode } from "../protocol/schema.js";

export class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}
