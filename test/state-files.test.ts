// End-to-end, through the real bin/simpleclaw.mjs: several processes editing
// simpleclaw.json at once lose nothing silently, and a state.db that cannot be opened
// ends a command with one sentence naming the file (no stack trace).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, childEnv, cleanupAll, REPO_ROOT, runCli, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

const NO_STACK = /^\s+at\s/m;

describe("concurrent `config set`", () => {
  it("every `config set` that says `set` is in the file; the others exit 1 saying to run again", async () => {
    const state = tempStateDir({ gateway: { port: 18790 } });
    const ids = [1, 2, 3, 4, 5, 6].map((i) => `-100${i}`);
    const runs = await Promise.all(
      ids.map((id) => runCli(["config", "set", `channels.telegram.groups.${id}`, "{requireMention: false}"], state.env)),
    );
    const groups = (JSON.parse(readFileSync(state.configPath, "utf8")) as { channels?: { telegram?: { groups?: Record<string, unknown> } } })
      .channels?.telegram?.groups ?? {};
    runs.forEach((r, i) => {
      expect(r.stderr).not.toMatch(NO_STACK);
      if (r.code === 0) {
        expect(r.stdout).toContain(`set channels.telegram.groups.${ids[i]}`);
        expect(Object.keys(groups), `${ids[i]} said set but is gone`).toContain(ids[i]);
      } else {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^error: not saved: .*run the command again\.\n$|^error: not saved: another process is writing/);
        expect(Object.keys(groups)).not.toContain(ids[i]);
      }
    });
    expect(runs.some((r) => r.code === 0)).toBe(true);
  }, 60_000);

  it("positive control: one after another, every `config set` lands", async () => {
    const state = tempStateDir({ gateway: { port: 18790 } });
    for (const id of ["-1001", "-1002"]) {
      const r = await runCli(["config", "set", `channels.telegram.groups.${id}`, "{requireMention: false}"], state.env);
      expect(r.code, r.stderr).toBe(0);
    }
    const cfg = JSON.parse(readFileSync(state.configPath, "utf8")) as { channels: { telegram: { groups: Record<string, unknown> } } };
    expect(Object.keys(cfg.channels.telegram.groups)).toEqual(["-1001", "-1002"]);
  }, 30_000);
});

describe("a state.db that cannot be opened", () => {
  it("memory status and devices list: one sentence naming the file, exit 1, no stack, the file untouched", async () => {
    const state = tempStateDir({ gateway: { port: 18790 } });
    const db = join(state.dir, "state.db");
    const junk = "this is not a database ".repeat(20);
    writeFileSync(db, junk, { mode: 0o600 });
    for (const args of [["memory", "status"], ["devices", "list"]]) {
      const r = await runCli(args, state.env);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toMatch(/^error: cannot open the state database .*state\.db \(file is not a database\): .*restore it from a backup, or move it aside/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(readFileSync(db, "utf8")).toBe(junk);
  }, 60_000);
});

describe("concurrent `approvals allowlist add`", () => {
  it("every entry a command reports as added is in exec-approvals.json", async () => {
    const state = tempStateDir({ gateway: { port: 18790 } });
    const runs = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => runCli(["approvals", "allowlist", "add", `/usr/bin/tool${i}`], state.env)));
    const file = JSON.parse(readFileSync(join(state.dir, "exec-approvals.json"), "utf8")) as { agents: { main: { allowlist: Array<{ pattern: string }> } } };
    const stored = file.agents.main.allowlist.map((e) => e.pattern).sort();
    runs.forEach((r, i) => {
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.code, r.stderr).toBe(0);
      expect(stored).toContain(`/usr/bin/tool${i + 1}`);
    });
    expect(stored).toHaveLength(6);
  }, 60_000);
});

describe("a state dir that cannot be reached", () => {
  it("config get, channels list and approvals allowlist list exit non-zero with one line instead of showing defaults", async () => {
    const state = tempStateDir();
    writeFileSync(join(state.dir, "file"), "");
    const env = { SIMPLECLAW_STATE_DIR: join(state.dir, "file", "state") };
    for (const args of [["config", "get"], ["channels", "list"], ["approvals", "allowlist", "list"]]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(" ")).toBe(78);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toMatch(/^error: cannot read .*(simpleclaw|exec-approvals)\.json \(ENOTDIR/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 60_000);

  it("a state dir this user may not search (EACCES): exit 78 naming the file, not the defaults (as root: run as nobody)", (ctx) => {
    const root = process.getuid?.() === 0;
    // (as root, nobody must be able to run the CLI from this checkout: not so under a private home)
    if (root && spawnSync(process.execPath, [BIN, "--version"], { cwd: "/", uid: 65534, gid: 65534, env: childEnv({ HOME: "/tmp" }) }).status !== 0) ctx.skip();
    const state = tempStateDir({ gateway: { port: 18790 } });
    const inner = join(state.dir, "private");
    mkdirSync(inner, { mode: 0o700 });
    writeFileSync(join(inner, "simpleclaw.json"), '{"gateway": {"port": 1}}');
    // root can search any folder: there, the CLI runs as nobody over a folder only root may enter
    if (root) chmodSync(state.dir, 0o755);
    else chmodSync(inner, 0o600);
    try {
      const r = spawnSync(process.execPath, [BIN, "config", "get", "gateway.port"], {
        cwd: REPO_ROOT,
        env: childEnv({ SIMPLECLAW_STATE_DIR: inner, HOME: "/tmp" }),
        encoding: "utf8",
        ...(root ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(r.status, r.stderr).toBe(78);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toMatch(/^error: cannot read config .*simpleclaw\.json \(EACCES/);
    } finally {
      chmodSync(inner, 0o700);
    }
  });
});
