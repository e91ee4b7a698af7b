// `simpleclaw gateway run`: start in the foreground; SIGINT/SIGTERM shut down cleanly
// (clients get a `shutdown` event; state writes are synchronous and atomic, so none
// is ever half done when the handler runs).
import { parsePort, startGateway } from "../gateway/start.js";

export async function runGatewayForeground(opts: { port?: string }): Promise<void> {
  const port = opts.port !== undefined ? parsePort(opts.port, "--port") : undefined;
  const gw = await startGateway({ port });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gw.ctx.logger.info("shutting down", { signal });
    void gw.close(`gateway stopping (${signal})`).then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
