// The container image, built from the project's Dockerfile and run for real with podman,
// the way docs/deploy.md says, checking every promise it makes: the gateway runs as uid
// 1000 with no capabilities and no-new-privileges; nothing but /app/data and /tmp can be
// written; /healthz answers on the port published on the host's loopback; the image keeps
// its HEALTHCHECK and `podman healthcheck run` finds it healthy (and unhealthy when nothing
// answers); the generated token survives recreating the container on the same volume; the
// audit inside reports what docs/deploy.md predicts; a chat turn reaches the fake model
// server (which listens on this host's address on the podman network: the only non-loopback
// address these tests talk to); and everything the gateway writes lands in /app/data. Then
// docker-compose.yml, run by podman-compose, gets the same checks.
//
// Needs root, podman, runc and mmdebstrap (test/helpers/system-deps.ts skips it without
// them; .ci/run installs them). The base images are made locally and cached
// (test/container/build-base-images.sh), so only the first run pays for them (~2 min), and
// the image build reuses podman's layer cache. Cold, on the 2-core machine: 10 min measured with
// other builds beside it (load ~12), about 7 min from its parts timed apart; hence the timeouts.
import { spawn } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { rootCertificates } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { GatewayClient } from "../../src/protocol/client.js";
import { startFakeModelServer, type FakeModelServer } from "../fakes/model-server.js";
import { chatClient } from "../helpers/chat.js";
import { cleanupAll, randomToken, REPO_ROOT, sleep, type Json } from "../helpers/gateway.js";
import { missing } from "../helpers/system-deps.js";

const noPodman = await missing("podman", import.meta.url);

const HERE = dirname(fileURLToPath(import.meta.url));
const PODMAN = join(HERE, "podman.sh");
const IMAGE = "localhost/simpleclaw-test:latest";
const RUN = `simpleclaw-test-${randomBytes(3).toString("hex")}`;
const MINUTE = 60_000;

// The hardening flags of the `podman run` in docs/deploy.md (checked against it below).
const HARDENING = ["--read-only", "--read-only-tmpfs=false", "--cap-drop=ALL", "--security-opt", "no-new-privileges", "--tmpfs", "/tmp"];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process (the fake model server lives here). */
function sh(file: string, args: string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 2 * MINUTE);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const podman = (args: string[], timeoutMs?: number) => sh("bash", [PODMAN, ...args], { timeoutMs });

/** podman, which must succeed; its stdout. */
async function pod(...args: string[]): Promise<string> {
  const r = await podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A node one-liner inside the container, as its `node` user. */
const inside = (container: string, script: string) => pod("exec", container, "sh", "-c", script);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port: number, container: string): Promise<void> {
  const deadline = Date.now() + MINUTE;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`no /healthz on 127.0.0.1:${port}; logs:\n${(await podman(["logs", container])).stdout}`);
    await sleep(250);
  }
}

/** /proc/1/status of the container: its first process is the gateway itself. */
async function firstProcess(container: string): Promise<{ cmdline: string[]; status: Record<string, string> }> {
  const out = await inside(container, "tr '\\0' ' ' < /proc/1/cmdline; echo; cat /proc/1/status");
  const [cmd, ...lines] = out.split("\n");
  const status = Object.fromEntries(lines.filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
  return { cmdline: cmd!.trim().split(" "), status };
}

async function expectUnprivileged(container: string): Promise<void> {
  const p = await firstProcess(container);
  expect(p.cmdline).toEqual(["node", "bin/simpleclaw.mjs", "gateway"]);
  expect(p.status.Uid!.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
  expect(p.status.Gid!.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
  for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) expect(p.status[set], set).toBe("0000000000000000");
  expect(p.status.NoNewPrivs).toBe("1");
  expect((await inside(container, "id -un")).trim()).toBe("node");
}

// Everywhere a process running as `node` could leave something: access(2) over the whole
// tree (it says EROFS for read-only mounts), then real writes into the places that matter.
const PROBE_DIRS = ["/", "/app", "/app/bin", "/app/dist", "/app/node_modules", "/app/ui", "/bin", "/etc", "/home/node", "/opt", "/root", "/run", "/srv", "/usr", "/usr/local/bin", "/var", "/var/log", "/var/tmp", "/dev/shm", "/dev/mqueue", "/tmp", "/app/data"];
const PROBE_FILES = ["/app/bin/simpleclaw.mjs", "/app/package.json", "/etc/passwd", "/usr/local/bin/node"];
const WRITE_SCAN = [
  "find / \\( -path /proc -o -path /sys \\) -prune -o \\( -type d -o -type f \\) -writable -print 2>/dev/null",
  "echo ---",
  `for d in ${PROBE_DIRS.join(" ")}; do if (: > "$d/.simpleclaw-probe") 2>/dev/null; then echo "$d"; rm -f "$d/.simpleclaw-probe"; fi; done`,
  "echo ---",
  `for f in ${PROBE_FILES.join(" ")}; do (: >> "$f") 2>/dev/null && echo "$f"; done`,
  "true",
].join("\n");
const underAllowed = (p: string) => ["/app/data", "/tmp"].some((a) => p === a || p.startsWith(`${a}/`));
// The engine's own IPC file systems: small private tmpfs mounts that every Docker and
// podman container gets and that vanish with it (docs/deploy.md says so).
const ENGINE_TMPFS = ["/dev/mqueue", "/dev/shm"];

async function expectWritableOnlyDataAndTmp(container: string): Promise<void> {
  const [found, dirs, files] = (await inside(container, WRITE_SCAN)).split("---\n").map((b) => b.split("\n").filter(Boolean));
  // The scan does see writable places (control): the two that must be writable are there.
  expect(found).toEqual(expect.arrayContaining(["/app/data", "/tmp"]));
  expect(found!.filter((p) => !underAllowed(p)).sort()).toEqual(ENGINE_TMPFS);
  expect(dirs!.sort()).toEqual([...ENGINE_TMPFS, "/app/data", "/tmp"].sort());
  expect(files).toEqual([]);
}

async function healthcheck(container: string): Promise<Result> {
  return podman(["healthcheck", "run", container]);
}

/** Everything podman itself leaves in a container's file system, from a control container. */
async function diffPaths(container: string): Promise<string[]> {
  const out = (await pod("diff", "--format", "json", container)).trim();
  return out ? Object.values(JSON.parse(out) as Record<string, string[]>).flat().sort() : [];
}

const started: string[] = [];
const volumes: string[] = [];

/** `podman run -d` as docs/deploy.md has it, on the given volume and host port. */
async function runGateway(name: string, volume: string, port: number, extra: string[] = [], command: string[] = []): Promise<void> {
  started.push(name);
  await pod("run", "-d", "--name", name, ...HARDENING, "-v", `${volume}:/app/data`, "-p", `127.0.0.1:${port}:18789`, ...extra, IMAGE, ...command);
}

describe.skipIf(noPodman)("the container image under podman", { timeout: 3 * MINUTE }, () => {
  let port: number;
  const volume = `${RUN}-data`;
  const first = `${RUN}-a`;
  const second = `${RUN}-b`;
  const idle = `${RUN}-idle`;
  let fake: FakeModelServer | undefined;

  beforeAll(async () => {
    const t0 = Date.now();
    const b = await sh("bash", [join(HERE, "build-image.sh"), IMAGE], { timeoutMs: 20 * MINUTE });
    if (b.code !== 0) throw new Error(`building the image failed (${b.code}):\n${b.stderr.slice(-6000)}`);
    console.log(`[container] ${b.stderr.trim().split("\n").at(-1)} (this step ${Math.round((Date.now() - t0) / 1000)} s)`);
    port = await freePort();
    volumes.push(volume);
    await pod("volume", "create", volume);
    // No token given: the gateway must generate one into the volume.
    await runGateway(first, volume, port);
    await waitHealthy(port, first);
  }, 25 * MINUTE);

  afterAll(async () => {
    await cleanupAll();
    await fake?.close();
    for (const c of started) await podman(["rm", "-f", "-v", "-t", "0", c]);
    for (const v of volumes) await podman(["volume", "rm", "-f", v]);
  }, 2 * MINUTE);

  it("the image: HEALTHCHECK kept, USER node, state volume; no npm, compilers, dev dependencies or build CA in it", async () => {
    const [img] = JSON.parse(await pod("image", "inspect", IMAGE)) as Json[];
    expect(img.Config.User).toBe("node");
    expect(img.Config.WorkingDir).toBe("/app");
    expect(Object.keys(img.Config.Volumes ?? {})).toEqual(["/app/data"]);
    expect(img.Config.Env).toEqual(expect.arrayContaining(["SIMPLECLAW_STATE_DIR=/app/data", "SIMPLECLAW_GATEWAY_BIND=lan"]));
    expect(img.Config.Env.some((e: string) => e.startsWith("SIMPLECLAW_GATEWAY_TOKEN"))).toBe(false);
    // (podman's default OCI format would drop it: build-image.sh builds with --format docker)
    const hc = img.Healthcheck;
    expect(hc?.Test?.[0]).toBe("CMD");
    expect(hc.Test.join(" ")).toContain("/healthz");

    // The runtime stage has the node binary and the app, nothing to build or fetch with.
    const tools = await pod(
      "run", "--rm", IMAGE, "sh", "-c",
      "for c in npm npx corepack yarn gcc cc make python3 git curl wget; do command -v $c; done; " +
        "ls -d /usr/local/include/node /usr/local/lib/node_modules /usr/local/etc/npmrc /run/simpleclaw-build /app/node_modules/typescript /app/node_modules/vitest /app/node_modules/vite 2>/dev/null; " +
        "ls /app; ls /app/ui/dist/index.html; find /app/node_modules -name '*.d.ts' -o -name '*.map' | head -3; true",
    );
    expect(tools.trim().split("\n")).toEqual(["bin", "data", "dist", "node_modules", "package.json", "ui", "/app/ui/dist/index.html"]);

    // The CA a TLS-intercepting proxy needs for the build's npm (build-image.sh mounts it into
    // the build stage only) must not be anywhere in the image.
    const extra = await extraCaSnippets();
    if (extra.length) {
      const root = (await pod("image", "mount", IMAGE)).trim();
      try {
        const g = await sh("grep", ["-rlF", ...extra.flatMap((e) => ["-e", e]), root], { timeoutMs: 2 * MINUTE });
        expect(g.stdout, "files in the image holding the build's CA").toBe("");
        expect(g.code).toBe(1); // grep: no match (2 would be an error)
      } finally {
        await podman(["image", "unmount", IMAGE]);
      }
    }
  });

  it("the gateway runs as uid 1000, with no capabilities and no-new-privileges", async () => {
    await expectUnprivileged(first);
    const [c] = JSON.parse(await pod("inspect", first)) as Json[];
    expect(c.HostConfig.ReadonlyRootfs).toBe(true);
  });

  it("nothing is writable outside /app/data and /tmp (and the engine's /dev/shm, /dev/mqueue)", async () => {
    await expectWritableOnlyDataAndTmp(first);
  });

  it("/healthz and the Control UI answer on the host's loopback, where the port is published", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ ok: true });
    const ui = await fetch(`http://127.0.0.1:${port}/`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toMatch(/text\/html/);
    expect((await pod("port", first)).trim()).toBe(`18789/tcp -> 127.0.0.1:${port}`);
  });

  it("`podman healthcheck run`: healthy with the gateway up, unhealthy with nothing listening", async () => {
    const ok = await healthcheck(first);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe(""); // podman says nothing when healthy
    const [c] = JSON.parse(await pod("inspect", first)) as Json[];
    expect((c.State.Health ?? c.State.Healthcheck).Status).toBe("healthy");

    // Control: the same image whose process does not serve HTTP.
    started.push(idle);
    await pod("run", "-d", "--name", idle, ...HARDENING, IMAGE, "node", "-e", "setTimeout(() => {}, 600000)");
    const bad = await healthcheck(idle);
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toBe("unhealthy");
  });

  it("the audit inside reports what docs/deploy.md predicts: sandbox.unavailable and gateway.tls_off_remote", async () => {
    const r = await podman(["exec", first, "node", "bin/simpleclaw.mjs", "security", "audit", "--json"]);
    expect(r.code, r.stderr).toBe(1); // 1 = at least one critical finding
    const report = JSON.parse(r.stdout) as { findings: Array<{ checkId: string; severity: string }> };
    const serious = report.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.checkId}`);
    expect(serious.sort()).toEqual(["critical sandbox.unavailable", "warn gateway.tls_off_remote"]);
    const docs = readFileSync(join(REPO_ROOT, "docs", "deploy.md"), "utf8");
    expect(docs).toMatch(/`sandbox\.unavailable` \(critical\)/);
    expect(docs).toContain("`gateway.tls_off_remote` warning");
  });

  it("the generated token survives recreating the container on the same volume; a chat turn reaches the model", async () => {
    const token = (await pod("exec", first, "node", "bin/simpleclaw.mjs", "config", "get", "gateway.auth.token")).trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await podman(["logs", first])).stdout).toContain("Generated a gateway token");

    // The fake model listens on this host's address on the podman network (the gateway of
    // the container's network), which the container reaches like any model API.
    const [c] = JSON.parse(await pod("inspect", first)) as Json[];
    const hostAddr: string = c.NetworkSettings.Gateway;
    expect(hostAddr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    fake = await startFakeModelServer({ host: hostAddr, apiKey: `sk-container-${randomToken()}` });
    fake.script({ text: "Hello from inside the container.", chunks: ["Hello ", "from inside ", "the container."] });
    const provider = JSON.stringify({ api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey });
    await pod("exec", first, "node", "bin/simpleclaw.mjs", "config", "set", "models.providers.fake", provider);
    await pod("exec", first, "node", "bin/simpleclaw.mjs", "config", "set", "agents.defaults.model.primary", "fake/model-a");

    // A clean stop: the gateway (PID 1) exits 0 on SIGTERM, well before podman's 10 s kill.
    await pod("stop", "-t", "10", first);
    const [stopped] = JSON.parse(await pod("inspect", first)) as Json[];
    expect(stopped.State.ExitCode).toBe(0);
    await pod("rm", first);

    await runGateway(second, volume, port);
    await waitHealthy(port, second);
    expect((await podman(["logs", second])).stdout).not.toContain("Generated a gateway token");
    expect((await pod("exec", second, "node", "bin/simpleclaw.mjs", "config", "get", "gateway.auth.token")).trim()).toBe(token);

    const url = `ws://127.0.0.1:${port}/ws`;
    await expect(GatewayClient.connect({ url, token: randomToken(), timeoutMs: 10_000 })).rejects.toThrow();
    const chat = await chatClient(url, token);
    const end = await chat.ask("hello from the host?");
    expect(end).toMatchObject({ state: "final", text: "Hello from inside the container." });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.lastUserText).toBe("hello from the host?");
    await chat.client.close();
  });

  it("everything the gateway wrote is in /app/data: no other change to the container's file system", async () => {
    // What podman alone leaves in a container (mount points for /etc/hosts and the like),
    // from the idle control container of the same image.
    const baseline = await diffPaths(idle);
    expect(await diffPaths(second)).toEqual(baseline);
    expect(await inside(second, "find /tmp /dev/shm /dev/mqueue -mindepth 1")).toBe("");

    const listing = await inside(second, "cd /app/data && stat -c '%a %u %n' . simpleclaw.json && ls -A && ls logs workspace");
    const [dirMode, cfgMode, ...names] = listing.trim().split("\n");
    expect(dirMode).toBe("700 1000 .");
    expect(cfgMode).toBe("600 1000 simpleclaw.json");
    expect(names).toEqual(expect.arrayContaining(["state.db", "logs", "workspace", "AGENTS.md"]));
    // No write was refused anywhere: a refused one would show in the output or the logs.
    const said = (await podman(["logs", second])).stdout + (await inside(second, "cat /app/data/logs/* 2>/dev/null; true"));
    expect(said).not.toMatch(/EROFS|read-only file system|EACCES|EPERM/i);
    // The second container passes the same checks as the first.
    await expectUnprivileged(second);
    await expectWritableOnlyDataAndTmp(second);
  });
});

// Runs everywhere: the flags above are the ones docs/deploy.md tells people to use.
describe("docs/deploy.md", () => {
  it("its podman run command has exactly the flags this test runs the image with", () => {
    const lines = readFileSync(join(REPO_ROOT, "docs", "deploy.md"), "utf8").split("\n");
    let i = lines.findIndex((l) => l.startsWith("podman run -d "));
    expect(i).toBeGreaterThan(-1);
    let cmd = "";
    for (; i < lines.length; i++) {
      cmd += ` ${lines[i]!.replace(/\\$/, "")}`;
      if (!lines[i]!.endsWith("\\")) break;
    }
    const argv = cmd.trim().split(/\s+/);
    expect(argv.slice(0, 5)).toEqual(["podman", "run", "-d", "--name", "simpleclaw"]);
    expect(argv.at(-1)).toBe("simpleclaw");
    // Nothing but the hardening flags, the volume and the published port.
    expect(argv.slice(5, -1)).toEqual([...HARDENING, "-v", "simpleclaw-data:/app/data", "-p", "127.0.0.1:18789:18789"]);
  });
});

describe.skipIf(noPodman)("docker-compose.yml under podman-compose", { timeout: 3 * MINUTE }, () => {
  const project = `${RUN.replace(/-/g, "")}c`;
  const container = `${project}_gateway_1`;
  let dir: string;
  let port: number;
  const token = randomToken() + randomToken();
  const compose = (...args: string[]) =>
    sh("podman-compose", ["--podman-path", PODMAN, "-p", project, "--podman-run-args=--read-only-tmpfs=false", ...args], { cwd: dir, timeoutMs: 3 * MINUTE });

  beforeAll(async () => {
    // The image is built by the describe above (same file, run first).
    await pod("image", "exists", IMAGE);
    dir = mkdtempSync(join(tmpdir(), "simpleclaw-compose-"));
    port = await freePort();
    const original = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as Json;
    // Only what cannot be used as it is here: the image (already built from the same
    // Dockerfile, instead of `build: .` again) and the host port (18789 may be taken).
    const derived = structuredClone(original);
    const svc = derived.services.gateway;
    delete svc.build;
    svc.image = IMAGE;
    svc.ports = [`127.0.0.1:${port}:18789`];
    writeFileSync(join(dir, "docker-compose.yml"), stringify(derived));
    writeFileSync(join(dir, "simpleclaw.env"), `SIMPLECLAW_GATEWAY_TOKEN=${token}\n`, { mode: 0o600 });
    const up = await compose("up", "-d", "--no-build");
    if (up.code !== 0) throw new Error(`podman-compose up failed (${up.code}):\n${up.stderr}\n${up.stdout}`);
    await waitHealthy(port, container);
  }, 5 * MINUTE);

  afterAll(async () => {
    await cleanupAll();
    if (!dir) return;
    await compose("down");
    await podman(["rm", "-f", "-v", "-t", "0", container]);
    await podman(["volume", "rm", "-f", `${project}_simpleclaw-data`]);
    await podman(["network", "rm", "-f", `${project}_default`]);
    rmSync(dir, { recursive: true, force: true });
  }, 3 * MINUTE);

  it("the service runs unprivileged with only /app/data and /tmp writable", async () => {
    const [c] = JSON.parse(await pod("inspect", container)) as Json[];
    expect(c.HostConfig.ReadonlyRootfs).toBe(true);
    expect(c.Mounts.map((m: Json) => `${m.Name ?? m.Source}:${m.Destination}`)).toContain(`${project}_simpleclaw-data:/app/data`);
    await expectUnprivileged(container);
    await expectWritableOnlyDataAndTmp(container);
  });

  it("published on the host's loopback only, healthy, and the token comes from simpleclaw.env", async () => {
    expect((await pod("port", container)).trim()).toBe(`18789/tcp -> 127.0.0.1:${port}`);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
    const hc = await healthcheck(container);
    expect(hc.code, hc.stdout + hc.stderr).toBe(0);
    const client = await GatewayClient.connect({ url: `ws://127.0.0.1:${port}/ws`, token, timeoutMs: 10_000 });
    await client.close();
    expect((await podman(["logs", container])).stdout).not.toContain("Generated a gateway token");
  });
});

/**
 * Short snippets of the certificates this host adds for npm (npm's cafile,
 * NODE_EXTRA_CA_CERTS) that are not among Node's own roots, which the node binary carries.
 */
async function extraCaSnippets(): Promise<string[]> {
  const cafile = (await sh("npm", ["config", "get", "cafile"])).stdout.trim();
  const files = [process.env.NODE_EXTRA_CA_CERTS, cafile].filter((f): f is string => !!f && f !== "null" && f !== "undefined");
  const own = new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256));
  const out: string[] = [];
  for (const f of files) {
    let text = "";
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const pem of text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      if (own.has(new X509Certificate(pem).fingerprint256)) continue;
      const body = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
      out.push(body[Math.floor(body.length / 2)]!.trim());
    }
  }
  return [...new Set(out)];
}
