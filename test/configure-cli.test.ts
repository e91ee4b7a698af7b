// End to end: `simpleclaw configure [section]` through the real built CLI on a throw-away
// state dir — one section changes and nothing else (the token above all), --rotate-token
// changes only the token, bad values are refused with one sentence and the file untouched,
// it says whether a running gateway applies the change live, and the wizard (in tmux).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildConfig } from "../src/onboard/plan.js";
import { BIN, cleanupAll, onCleanup, runCli, sleep, startTestGateway, type Env } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";

afterEach(cleanupAll);

const noTmux = await missing("tmux", import.meta.url);
const TOKEN = "kept-token-0123456789abcdefghijklmnopqrstuv";

function state(): { dir: string; cfg: string; env: Env; text: string } {
  const root = mkdtempSync(join(tmpdir(), "simpleclaw-configure-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, "state");
  mkdirSync(dir, { mode: 0o700 });
  const raw = buildConfig({ provider: "anthropic", token: TOKEN }) as Record<string, any>;
  raw.channels = { telegram: { enabled: false, dmPolicy: "pairing", allowFrom: ["123"] } };
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  const cfg = join(dir, "simpleclaw.json");
  writeFileSync(cfg, text, { mode: 0o600 });
  return { dir, cfg, env: { SIMPLECLAW_STATE_DIR: dir, HOME: root }, text };
}

const read = (p: string) => readFileSync(p, "utf8");
const backups = (dir: string) => readdirSync(dir).filter((n) => n.includes(".bak-"));

describe("simpleclaw configure (flags)", () => {
  it("changes one section only: every other byte of the file, the token included, stays as it was", async () => {
    const s = state();
    const r = await runCli(["configure", "gateway", "--port", "19000", "--bind", "loopback"], s.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read(s.cfg)).toBe(s.text.replace('"port": 18789', '"port": 19000'));
    expect(r.stdout).toContain("gateway.port: 18789 → 19000");
    expect(r.stdout).toContain("Kept the gateway token.");
    expect(r.stdout).toContain("No gateway is running");
    expect(backups(s.dir)).toHaveLength(1);
    expect(read(join(s.dir, backups(s.dir)[0]!))).toBe(s.text);

    const m = await runCli(["configure", "model", "--model", "openai/gpt-4.1"], s.env);
    expect(m.code).toBe(0);
    const after = JSON.parse(read(s.cfg));
    const before = JSON.parse(s.text);
    before.gateway.port = 19000;
    before.agents.defaults.model.primary = "openai/gpt-4.1";
    expect(after).toEqual(before);
    expect(after.gateway.auth.token).toBe(TOKEN);
  });

  it("--rotate-token changes only the token", async () => {
    const s = state();
    const r = await runCli(["configure", "--rotate-token"], s.env);
    expect(r.code).toBe(0);
    const after = JSON.parse(read(s.cfg));
    expect(after.gateway.auth.token).not.toBe(TOKEN);
    expect(after.gateway.auth.token.length).toBeGreaterThanOrEqual(40);
    expect(read(s.cfg)).toBe(s.text.replace(TOKEN, after.gateway.auth.token));
    expect(r.stdout).toContain("Rotated the gateway token");
    expect(r.stdout).not.toContain(after.gateway.auth.token);
  });

  it("refuses bad values with one sentence, a non-zero exit and the file untouched", async () => {
    const s = state();
    const cases: Array<[string[], Env, RegExp]> = [
      [["configure", "gateway", "--port", "70000"], {}, /gateway\.port: got 70000/],
      [["configure", "gateway", "--bind", "lan", "--auth", "password", "--password-env", "PW"], { PW: "short" }, /refuses to listen on 0\.0\.0\.0 with a gateway password shorter than 12/],
      [["configure", "gateway", "--bind", "lan", "--auth", "none"], {}, /--auth must be one of token, password/],
      [["configure", "nonsense"], {}, /there is no config section "nonsense"; use one of gateway, model/],
      [["configure", "model", "--port", "1"], {}, /--port belongs to `simpleclaw configure gateway`/],
      [["configure", "model", "--model", "nope/x"], {}, /unknown provider "nope"/],
      [["configure", "channels", "--channel", "telegram", "--dm-policy", "open"], {}, /must contain "\*" when dmPolicy is "open"/],
      [["configure"], {}, /not a terminal/],
    ];
    for (const [args, extra, re] of cases) {
      const r = await runCli(args, { ...s.env, ...extra });
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(re);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(read(s.cfg)).toBe(s.text);
    }
    expect(backups(s.dir)).toEqual([]);
  });

  it("says what a running gateway applies live and what needs a restart", async () => {
    const t = await startTestGateway({ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } } });
    const live = await runCli(["configure", "model", "--model", "openai/gpt-4.1"], t.env);
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(/The running gateway applies agents\.defaults\.model\.primary live/);
    const restart = await runCli(["configure", "gateway", "--port", "19001"], t.env);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/Restart the gateway to apply gateway\.port/);
  });
});

describe.skipIf(noTmux)("simpleclaw configure (interactive, in tmux)", () => {
  it("picks the model section from the menu and changes only the model", async () => {
    const s = state();
    const sock = `simpleclaw-cfg-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const tmux = (...args: string[]) => spawnSync("tmux", ["-L", sock, ...args], { encoding: "utf8" });
    const vars = Object.entries(s.env).map(([k, v]) => `${k}='${v}'`).join(" ");
    const cmd = `env -i PATH='${process.env.PATH}' TERM=xterm-256color ${vars} '${process.execPath}' '${BIN}' configure; echo "CONFIGURE-EXIT=$?"; sleep 60`;
    expect(tmux("new-session", "-d", "-x", "160", "-y", "50", "-s", "w", cmd).status).toBe(0);
    onCleanup(() => tmux("kill-server"));
    const screen = () => tmux("capture-pane", "-p", "-t", "w", "-S", "-200").stdout;
    const waitFor = async (re: RegExp, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(screen())) {
        if (Date.now() > deadline) throw new Error(`no ${re} on screen:\n${screen()}`);
        await sleep(50);
      }
    };
    await waitFor(/Which section do you want to change\?/);
    tmux("send-keys", "-t", "w", "Down"); // gateway → model
    await sleep(100);
    tmux("send-keys", "-t", "w", "Enter");
    await waitFor(/Default model/);
    for (let i = 0; i < 40; i++) tmux("send-keys", "-t", "w", "BSpace");
    tmux("send-keys", "-t", "w", "-l", "openai/gpt-4.1-mini");
    tmux("send-keys", "-t", "w", "Enter");
    await waitFor(/Fallback models/);
    tmux("send-keys", "-t", "w", "Enter");
    await waitFor(/CONFIGURE-EXIT=\d+/, 30_000);
    expect(screen()).toContain("CONFIGURE-EXIT=0");
    expect(screen()).toContain("Kept the gateway token.");
    expect(read(s.cfg)).toBe(s.text.replace('"primary": "anthropic/claude-sonnet-4-5"', '"primary": "openai/gpt-4.1-mini"'));
  }, 60_000);
});
