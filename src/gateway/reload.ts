// Config hot reload in the running gateway: re-read simpleclaw.json when it changes on
// disk (a hand edit, `config set`) or when a client asks (`config.reload`), refuse an
// invalid file (the running config stays), apply the keys config/reload.ts marks live,
// and report the rest as "restart needed" (docs/configuration.md).
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { loadConfig } from "../config/io.js";
import type { Env } from "../config/paths.js";
import { appliedConfig, reloadPlan } from "../config/reload.js";
import type { Config } from "../config/schema.js";
import { errorMessage } from "../infra/errors.js";
import type { Logger } from "../infra/log.js";

/** `config.reload` result: what changed live, what waits for a restart, or why the file was refused. */
export type ReloadResult =
  | { ok: true; applied: string[]; restartNeeded: string[] }
  | { ok: false; problem: string };

export interface ConfigReloaderDeps {
  env: Env;
  configPath: string;
  logger: Logger;
  /** The config the gateway runs with now. */
  current(): Config;
  /** Hands the new config to everything that holds one (context, chat, channels). */
  apply(config: Config): void;
}

export class ConfigReloader {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private lastPending = "";

  constructor(private deps: ConfigReloaderDeps) {}

  /** Re-reads the file now. Never throws: an unreadable or invalid file is reported and ignored. */
  reload(source: "file" | "rpc"): ReloadResult {
    const { logger } = this.deps;
    let next: Config;
    try {
      next = loadConfig(this.deps.env).config;
    } catch (err) {
      const problem = errorMessage(err);
      logger.warn("config change refused; the gateway keeps running with the previous config", { source, problem });
      return { ok: false, problem };
    }
    const running = this.deps.current();
    const plan = reloadPlan(running, next);
    if (plan.live.length) {
      this.deps.apply(appliedConfig(running, next, plan));
      logger.info("config reloaded", { source, applied: plan.live });
    }
    const pending = plan.restart.join(",");
    if (plan.restart.length && pending !== this.lastPending) {
      logger.warn(`config changed: restart the gateway to apply ${plan.restart.join(", ")}`, { source, restartNeeded: plan.restart });
    }
    this.lastPending = pending;
    return { ok: true, applied: plan.live, restartNeeded: plan.restart };
  }

  /** Watches the config file's directory (the file itself is replaced on every atomic write). */
  watch(): void {
    const name = basename(this.deps.configPath);
    try {
      this.watcher = watch(dirname(this.deps.configPath), (_event, file) => {
        if (file !== null && file.toString() !== name) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload("file"), 150);
      });
      this.watcher.on("error", (err) => this.deps.logger.warn("config watcher stopped; use `config set` or restart to apply changes", { err: errorMessage(err) }));
    } catch (err) {
      this.deps.logger.warn("cannot watch the config file; changes apply through `config set` or a restart", { err: errorMessage(err) });
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
