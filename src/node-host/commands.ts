// The commands a node host offers (docs/nodes.md), as a registry: name → params schema +
// handler. system.run is governed by system-run.ts; the others only read facts about
// this machine or show a notification.
import { spawn } from "node:child_process";
import { accessSync, constants as FS, statSync } from "node:fs";
import { arch, hostname, platform, release } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { Env } from "../config/paths.js";
import { escapeForDisplay } from "../infra/display.js";
import { CommandError } from "./errors.js";
import { NODE_PATH, systemRun, systemRunParams, type LocalAsker } from "./system-run.js";

export interface CommandDeps {
  stateDir: string;
  env: Env;
  ask: LocalAsker;
  log(line: string): void;
}

interface NodeCommand<P> {
  params: z.ZodType<P>;
  run(params: P, deps: CommandDeps): Promise<unknown>;
}

/** First executable named `name` on PATH (no slashes in the name: only PATH lookups). */
export function which(name: string, PATH: string): string | null {
  for (const dir of PATH.split(":")) {
    if (!dir.startsWith("/")) continue;
    const p = join(dir, name);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, FS.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function notifier(): { file: string; args: (t: string, b: string) => string[] } | undefined {
  if (platform() === "linux") {
    const p = which("notify-send", NODE_PATH);
    if (p) return { file: p, args: (t, b) => ["--", t, b] };
  }
  if (platform() === "darwin") {
    const p = which("osascript", NODE_PATH);
    if (p) return { file: p, args: (t, b) => ["-e", "on run argv\ndisplay notification (item 2 of argv) with title (item 1 of argv)\nend run", t, b] };
  }
  return undefined;
}

function runQuiet(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: "ignore", timeout: 10_000 });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

export const NODE_COMMANDS: Record<string, NodeCommand<any>> = {
  "system.run": {
    params: systemRunParams,
    run: (p, deps) => systemRun(p, deps),
  },
  "system.which": {
    params: z.strictObject({ name: z.string().min(1).max(255).regex(/^[^/\0]+$/, "must be a program name, not a path") }),
    run: async (p: { name: string }) => ({ path: which(p.name, process.env.PATH ? `${process.env.PATH}:${NODE_PATH}` : NODE_PATH) }),
  },
  "system.info": {
    params: z.strictObject({}),
    run: async () => ({ hostname: hostname(), platform: platform(), arch: arch(), release: release() }),
  },
  "system.notify": {
    params: z.strictObject({ title: z.string().min(1).max(256), body: z.string().max(4096).default("") }),
    run: async (p: { title: string; body: string }, deps) => {
      const n = notifier();
      const delivered = n ? await runQuiet(n.file, n.args(p.title, p.body)) : false;
      // The gateway chose this text (an agent may have): on the terminal where this node's person
      // answers system.run prompts it is one line, with escape sequences and bidi controls shown.
      if (!delivered) deps.log(`notification: ${escapeForDisplay(`${p.title}${p.body ? ` — ${p.body}` : ""}`, { oneLine: true })}`);
      return { delivered };
    },
  },
};

export const NODE_COMMAND_NAMES = Object.keys(NODE_COMMANDS);

/** Runs one invoke request; every failure becomes a CommandError. */
export async function runNodeCommand(command: string, rawParams: unknown, deps: CommandDeps): Promise<unknown> {
  if (!Object.hasOwn(NODE_COMMANDS, command)) throw new CommandError("NOT_FOUND", `this node has no command ${command}.`);
  const def = NODE_COMMANDS[command]!;
  const parsed = def.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CommandError("INVALID_REQUEST", `invalid params for ${command}: ${issue.path.join(".") || "(params)"} ${issue.message}.`);
  }
  return def.run(parsed.data, deps);
}
