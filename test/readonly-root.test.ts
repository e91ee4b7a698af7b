// Read-only operation, proved without Docker: the BUILT gateway (bin/simpleclaw.mjs) runs
// under bubblewrap with the whole host root mounted read-only, a private /proc, /dev and
// tmpfs /tmp, and only its data dir writable — the same shape as
// `docker run --read-only --tmpfs /tmp -v simpleclaw-data:/app/data`. A chat turn goes
// through it to the fake model API in this process (the sandbox shares our network
// namespace), and then we check that every write it made landed in the data dir.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer } from "./fakes/model-server.js";
import { chatClient } from "./helpers/chat.js";
import { BIN, REPO_ROOT, childEnv, cleanupAll, onCleanup, sleep } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";

afterEach(cleanupAll);

// The container's `node` user; bwrap maps it to the invoking user outside.
const UID = "1000";

// This test is the proof, without a container engine, that the gateway works with a
// read-only root: without bubblewrap it is skipped and the run ends with a line saying so;
// .ci/run makes that a failure (test/helpers/system-deps.ts).
const noBwrap = await missing("bubblewrap", import.meta.url);

function findBwrap(): string {
  const r = spawnSync("sh", ["-c", "command -v bwrap"], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) throw new Error("bwrap is not on PATH");
  return path;
}

/** The project's Node 22 (the `node` devDependency), else the one running the tests. */
function nodeBinary(): string {
  const local = join(REPO_ROOT, "node_modules", ".bin", "node");
  return existsSync(local) ? realpathSync(local) : process.execPath;
}

const REPO_UNDER_TMP = !relative("/tmp", REPO_ROOT).startsWith("..");

/** bwrap argv: read-only root, fresh /proc and /dev, tmpfs /tmp, `data` writable, host network. */
function readOnlyRootArgs(data: string, command: string[]): string[] {
  return [
    "--ro-bind", "/", "/",
    "--proc", "/proc",
    "--dev", "/dev",
    "--tmpfs", "/tmp",
    // A checkout under /tmp (CI clones there) would vanish under the tmpfs: put it back, read-only.
    ...(REPO_UNDER_TMP ? ["--ro-bind", REPO_ROOT, REPO_ROOT] : []),
    "--bind", data, data,
    "--unshare-user", "--uid", UID, "--gid", UID,
    "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent",
    "--chdir", REPO_ROOT,
    "--",
    ...command,
  ];
}

interface Listing {
  [path: string]: { size: number; mtimeMs: number; dir: boolean };
}

function listTree(root: string, skip: (full: string) => boolean = () => false): Listing {
  const out: Listing = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (skip(full)) continue;
      const st = statSync(full);
      out[relative(root, full)] = { size: st.size, mtimeMs: st.mtimeMs, dir: st.isDirectory() };
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** Every process below `pid` (via /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids = "";
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, "utf8");
      } catch {
        continue;
      }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(k);
        visit(k);
      }
    }
  };
  visit(pid);
  return out;
}

let bwrap: string;
beforeAll(() => {
  if (noBwrap) return;
  bwrap = findBwrap();
  if (!existsSync(join(REPO_ROOT, "dist", "cli", "main.js"))) throw new Error("the gateway is not built; run `npm run build` first (npm test does).");
});

describe.skipIf(noBwrap)("the built gateway on a read-only root", () => {
  it("the sandbox really is read-only outside the data dir (control)", () => {
    const base = mkdtempSync(join(tmpdir(), "simpleclaw-ro-"));
    onCleanup(() => rmSync(base, { recursive: true, force: true }));
    const probe = `${REPO_ROOT}/.simpleclaw-ro-probe`;
    const r = spawnSync(
      bwrap,
      readOnlyRootArgs(base, ["sh", "-c", `touch '${probe}' 2>&1; echo repo=$?; touch /tmp/x && echo tmp=ok; touch '${base}/ok' && echo data=ok; id -u`]),
      { encoding: "utf8", timeout: 10_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/repo=1/);
    expect(r.stdout).toContain("tmp=ok");
    expect(r.stdout).toContain("data=ok");
    expect(r.stdout.trim().split("\n").at(-1)).toBe(UID);
    expect(existsSync(probe)).toBe(false);
    expect(existsSync(join(base, "ok"))).toBe(true);
  });

  it("runs a chat turn and writes only to its data dir", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-fake-readonly-test-0123456789" });
    onCleanup(() => fake.close());
    fake.script({ text: "Hello from a read-only root.", chunks: ["Hello ", "from a ", "read-only root."] });

    const data = mkdtempSync(join(tmpdir(), "simpleclaw-ro-data-"));
    onCleanup(() => rmSync(data, { recursive: true, force: true }));
    // No token: the gateway must generate one and save it into the data dir.
    writeFileSync(
      join(data, "simpleclaw.json"),
      JSON.stringify({
        agents: { defaults: { model: { primary: "fake/model-a" } } },
        models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
      }),
      { mode: 0o600 },
    );
    const before = listTree(data);

    const child: ChildProcess = spawn(bwrap, readOnlyRootArgs(data, [nodeBinary(), BIN, "gateway", "run", "--port", "0"]), {
      env: childEnv({ SIMPLECLAW_STATE_DIR: data }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    onCleanup(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));

    const deadline = Date.now() + 20_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/ws)/.exec(out))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway did not start under bwrap (exit ${child.exitCode}):\n${out}\n${err}`);
      await sleep(50);
    }
    const url = m[1]!;

    // The generated token went into the config in the data dir.
    expect(out).toContain("Generated a gateway token");
    const config = JSON.parse(readFileSync(join(data, "simpleclaw.json"), "utf8"));
    const token: string = config.gateway.auth.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    // /healthz and a chat turn through the sandboxed gateway, to the fake model in this process.
    const health = await fetch(url.replace(/^ws/, "http").replace(/\/ws$/, "/healthz"));
    expect(await health.json()).toEqual({ ok: true });
    const chat = await chatClient(url, token);
    const end = await chat.ask("hello?");
    expect(end).toMatchObject({ state: "final", text: "Hello from a read-only root." });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.lastUserText).toBe("hello?");
    const history = await chat.client.call<{ messages: Array<{ role: string }> }>("chat.history", {});
    expect(history.messages.map((x) => x.role)).toEqual(["user", "assistant"]);

    // What the gateway left in its private /tmp (allowed in the container, but lost on
    // restart): nothing but the mount point of the data dir itself.
    const gatewayPid = descendants(child.pid!).find((p) => {
      try {
        // node <BIN> gateway … (bwrap's own processes carry the same words further along their argv)
        return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[1] === BIN;
      } catch {
        return false;
      }
    });
    expect(gatewayPid, "gateway process inside the sandbox").toBeDefined();
    const sandboxTmp = `/proc/${gatewayPid}/root/tmp`;
    const relData = relative("/tmp", data); // "" .. parts when the data dir is not under /tmp
    const onDataPath = (p: string) => relData === p || relData.startsWith(`${p}/`) || p.startsWith(`${relData}/`);
    // The checkout's read-only mount (when it lives under /tmp) is not the gateway's writing.
    const sandboxTmpListing = Object.keys(listTree(sandboxTmp, (full) => REPO_UNDER_TMP && full === join(sandboxTmp, relative("/tmp", REPO_ROOT))));
    const relRepo = relative("/tmp", REPO_ROOT);
    const onRepoPath = (p: string) => REPO_UNDER_TMP && (relRepo === p || relRepo.startsWith(`${p}/`));
    // (the listing does see the sandbox's tmpfs: the data dir's mount point is in it)
    if (!relData.startsWith("..")) expect(sandboxTmpListing).toContain(relData.split("/")[0]);
    const tmpFiles = sandboxTmpListing.filter((p) => !onDataPath(p) && !onRepoPath(p));
    expect(tmpFiles, "files the gateway wrote to its /tmp").toEqual([]);

    await chat.client.close();
    // A clean shutdown: SIGTERM to the gateway itself (bwrap does not forward signals);
    // bwrap then exits with the gateway's status.
    process.kill(gatewayPid!, "SIGTERM");
    expect(await exited).toBe(0);

    // Its state all landed in the data dir: config (token), SQLite, logs, the seeded workspace.
    const after = listTree(data);
    const created = Object.keys(after).filter((p) => !(p in before));
    expect(created).toEqual(expect.arrayContaining(["state.db", "logs", "workspace"]));
    expect(created.some((p) => p.startsWith("logs/") && !after[p]!.dir)).toBe(true);
    expect(after["simpleclaw.json"]!.mtimeMs).toBeGreaterThan(before["simpleclaw.json"]!.mtimeMs - 1);
    expect(readdirSync(join(data, "workspace"))).toContain("AGENTS.md");
    // The state dir and config keep their private modes.
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, "simpleclaw.json")).mode & 0o777).toBe(0o600);

    // No write was attempted anywhere else: a refused one would show up as EROFS (or a
    // permission error) in the gateway's output or its log files.
    const logs = created.filter((p) => p.startsWith("logs/") && !after[p]!.dir).map((p) => readFileSync(join(data, p), "utf8"));
    for (const text of [out, err, ...logs]) {
      expect(text).not.toMatch(/EROFS|read-only file system|EACCES|EPERM/i);
    }
  }, 60_000);
});
