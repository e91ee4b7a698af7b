// Where state lives: the state dir (~/.simpleclaw or $SIMPLECLAW_STATE_DIR) and the
// config file inside it ($SIMPLECLAW_CONFIG_PATH overrides). Pure path logic, no I/O.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT, UserError } from "../infra/errors.js";

export type Env = Record<string, string | undefined>;

export function expandHome(p: string, home: string = homedir()): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return join(home, p.slice(2));
  return p;
}

export function stateDir(env: Env = process.env): string {
  const v = env.SIMPLECLAW_STATE_DIR;
  return v ? resolve(expandHome(v)) : join(homedir(), ".simpleclaw");
}

export function configPath(env: Env = process.env): string {
  const v = env.SIMPLECLAW_CONFIG_PATH;
  return v ? resolve(expandHome(v)) : join(stateDir(env), "simpleclaw.json");
}

export function statePaths(env: Env = process.env) {
  const dir = stateDir(env);
  return {
    dir,
    config: configPath(env),
    credentials: join(dir, "credentials"),
    logs: join(dir, "logs"),
    tls: join(dir, "tls"),
    stateDb: join(dir, "state.db"),
    workspace: join(dir, "workspace"),
    plugins: join(dir, "plugins"),
    skills: join(dir, "skills"),
    skillPins: join(dir, "skill-pins.json"),
  };
}

/** A port from the environment or a flag; a bad one is a config error (exit 78). */
export function parsePort(value: string, where: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new UserError(`${where} must be a port number from 0 to 65535, got "${value}".`, EXIT.config);
  }
  return n;
}
