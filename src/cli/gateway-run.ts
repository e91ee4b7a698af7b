// `simpleclaw gateway run`: start in the foreground; SIGINT/SIGTERM shut down cleanly
// (clients get a `shutdown` event; state writes are synchronous and atomic, so none
// is ever half done when the handler runs).
import { startGateway } from "../gateway/start.js";
import { parsePort } from "../config/paths.js";
import type { RunningGateway } from "../gateway/server.js";

export async function runGatewayForeground(opts: { port?: string }): Promise<void> {
  const port = opts.port !== undefined ? parsePort(opts.port, "--port") : undefined;
  let gw: RunningGateway | undefined;
  let stopping: string | undefined;
  const shutdown = (running: RunningGateway, signal: string) => {
    running.ctx.logger.info("shutting down", { signal });
    void running.close(`gateway stopping (${signal})`).then(() => process.exit(0));
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    if (gw) shutdown(gw, signal);
  };
  // Handlers go in before start-up, so a signal that arrives while starting (or right
  // after the "listening" banner) still ends in a clean shutdown, never the default kill.
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  gw = await startGateway({ port });
  if (stopping) shutdown(gw, stopping);
}
