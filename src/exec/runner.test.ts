import { readdirSync, readFileSync } from "node:fs";
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GIT_HARDENING, runProcess, scrubEnv, type RunSpec } from "./runner.js";

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function spec(cmd: string, over: Partial<RunSpec> = {}): RunSpec {
  return { file: "/bin/sh", args: ["-c", cmd], cwd: "/", env: ENV, timeoutMs: 10_000, maxOutputBytes: 1 << 20, ...over };
}

/** A `sleep` duration nobody else uses, so the process can be found by its argv. */
function marker(): string {
  return `${30 + randomInt(100)}.${randomInt(1e9)}`;
}

function pidsWith(text: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (argv.includes(text) || argv.some((a) => a.includes(`sleep ${text}`))) found.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function waitGone(text: string, ms = 2000): Promise<number[]> {
  const until = Date.now() + ms;
  let left = pidsWith(text);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = pidsWith(text);
  }
  return left;
}

describe("runProcess", () => {
  it("returns stdout, stderr and a non-zero exit code without throwing", async () => {
    const r = await runProcess(spec("echo out; echo err >&2; exit 3"));
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: "out\n", stderr: "err\n", timedOut: false, truncated: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("reports a signal death", async () => {
    const r = await runProcess(spec("kill -KILL $$"));
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe("SIGKILL");
  });

  it("passes stdin, cwd and exactly the given env", async () => {
    const r = await runProcess(spec("cat; pwd; env | sort", { stdin: "hello\n", cwd: "/usr", env: { PATH: ENV.PATH, FOO: "bar" } }));
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("hello");
    expect(lines[1]).toBe("/usr");
    expect(lines).toContain("FOO=bar");
    expect(lines.some((l) => l.startsWith("HOME="))).toBe(false);
  });

  it("resolves (does not throw) when the program does not exist", async () => {
    const r = await runProcess({ ...spec(""), file: "/nonexistent/simpleclaw-nope", args: [] });
    expect(r.exitCode).toBeNull();
    expect(r.error).toMatch(/ENOENT/);
  });

  it("caps combined output, keeps the first bytes and drains the rest", async () => {
    // 4 MB of output must not block the child on a full pipe.
    const r = await runProcess(spec("yes 0123456789 | head -c 4000000; echo done >&2", { maxOutputBytes: 1000 }));
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr)).toBe(1000);
    expect(r.stdout.startsWith("0123456789\n0123456789\n")).toBe(true);
    expect(r.stderr).toBe(""); // "done" came after the cap
  });

  it("a timeout kills the whole process group, grandchildren included", async () => {
    const a = marker();
    const b = marker();
    const started = Date.now();
    const r = await runProcess(spec(`sleep ${a} & (sleep ${b}; true) & wait`, { timeoutMs: 300 }));
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGTERM");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await waitGone(a)).toEqual([]);
    expect(await waitGone(b)).toEqual([]);
  });

  it("escalates to SIGKILL after 2 s when SIGTERM is ignored", async () => {
    const m = marker();
    // `trap "" TERM` is inherited by the exec'd sleep: SIGTERM does nothing to either.
    const r = await runProcess(spec(`trap "" TERM; sleep ${m} & wait; sleep ${m}`, { timeoutMs: 200 }));
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(r.durationMs).toBeGreaterThanOrEqual(2000);
    expect(r.durationMs).toBeLessThan(5000);
    expect(await waitGone(m)).toEqual([]);
  });

  it("an abort signal kills the group", async () => {
    const m = marker();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runProcess(spec(`sleep ${m} & wait`, { signal: ac.signal }));
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(await waitGone(m)).toEqual([]);
  });

  it("an already-aborted signal never lets the command finish", async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runProcess(spec("sleep 5; echo finished", { signal: ac.signal }));
    expect(r.aborted).toBe(true);
    expect(r.stdout).toBe("");
    expect(r.durationMs).toBeLessThan(3000);
  });

  it("background jobs left behind die when the command exits", async () => {
    const m = marker();
    const r = await runProcess(spec(`sleep ${m} >/dev/null 2>&1 & echo started`));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("started\n");
    expect(await waitGone(m)).toEqual([]);
  });

  it("does not wait for a setsid'd leftover that holds the output pipe", async () => {
    const m = marker();
    const r = await runProcess(spec(`setsid sleep ${m} & echo hi`, { timeoutMs: 10_000 }));
    expect(r.stdout).toBe("hi\n");
    expect(r.durationMs).toBeLessThan(3000);
    for (const pid of pidsWith(m)) process.kill(pid, "SIGKILL"); // it escaped the group by design; clean up
  });
});

describe("scrubEnv", () => {
  it("keeps only the allowlist", () => {
    const env = scrubEnv({
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      TERM: "xterm",
      TZ: "UTC",
      USER: "u",
      LOGNAME: "u",
      SHELL: "/bin/bash",
      NODE_OPTIONS: "--require /evil.js",
      LD_PRELOAD: "/evil.so",
      SSH_AUTH_SOCK: "/tmp/agent.sock",
      EDITOR: "vim",
    });
    expect(env).toEqual({
      ...GIT_HARDENING,
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      TERM: "xterm",
      TZ: "UTC",
      USER: "u",
      LOGNAME: "u",
      SHELL: "/bin/bash",
    });
  });

  it("drops secret-named variables", () => {
    const env = scrubEnv({
      PATH: "/usr/bin",
      SIMPLECLAW_GATEWAY_TOKEN: "t0ken-value",
      SIMPLECLAW_GATEWAY_PASSWORD: "pw",
      ANTHROPIC_API_KEY: "k",
      OPENAI_API_KEY: "k",
      TELEGRAM_BOT_TOKEN: "k",
      GITHUB_TOKEN: "k",
      CLIENT_SECRET: "s",
      DB_PASSWORD: "p",
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "b",
    });
    expect(env).toEqual({ ...GIT_HARDENING, PATH: "/usr/bin" });
  });

  it("drops variables whose value is, contains, or looks like a secret", () => {
    const secret = "s3cr3t-gateway-token-value";
    const env = scrubEnv(
      {
        PATH: "/usr/bin",
        HOME: secret,
        TERM: `x${secret}y`,
        USER: "sk-ant-abcdefghijklmnopqrstuvwxyz012345",
        LOGNAME: "Bearer abcdefghijkl",
        LANG: "C.UTF-8",
      },
      [secret, ""],
    );
    expect(env).toEqual({ ...GIT_HARDENING, PATH: "/usr/bin", LANG: "C.UTF-8" });
  });

  it("skips undefined values", () => {
    expect(scrubEnv({ PATH: undefined, HOME: "/h" })).toEqual({ ...GIT_HARDENING, HOME: "/h" });
  });

  it("always adds the git hardening, which the host environment cannot replace", () => {
    const env = scrubEnv({ PATH: "/usr/bin", GIT_CONFIG_COUNT: "0", GIT_CONFIG_KEY_0: "core.hooksPath", GIT_CONFIG_VALUE_0: ".githooks" });
    expect(env).toEqual({ ...GIT_HARDENING, PATH: "/usr/bin" });
    expect(env.GIT_CONFIG_VALUE_0).toBe("/dev/null");
  });
});
