import { describe, expect, it } from "vitest";
import { bwrapArgs, bwrapMounts, PROC_READONLY, sandboxCwd, type HostLayout, type SandboxSpec } from "./bwrap.js";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explainSandbox, ownerMounts, resolveSandboxSpec, sandboxCommand, selectBackend, SandboxUnavailableError, type Probes } from "./backend.js";

const MERGED: HostLayout = {
  entries: {
    "/bin": { kind: "symlink", target: "usr/bin" },
    "/sbin": { kind: "symlink", target: "usr/sbin" },
    "/lib": { kind: "symlink", target: "usr/lib" },
    "/lib32": { kind: "missing" },
    "/lib64": { kind: "symlink", target: "usr/lib64" },
    "/libx32": { kind: "missing" },
  },
};
const SPLIT: HostLayout = {
  entries: {
    "/bin": { kind: "dir" },
    "/sbin": { kind: "dir" },
    "/lib": { kind: "dir" },
    "/lib32": { kind: "missing" },
    "/lib64": { kind: "dir" },
    "/libx32": { kind: "missing" },
  },
};

const WS = "/home/alice/.simpleclaw/workspace";
const base: SandboxSpec = {
  workspace: WS,
  cwd: WS + "/proj",
  workspaceAccess: "rw",
  network: false,
  env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/home/alice" },
  command: ["/bin/sh", "-c", "echo hi"],
};

/** Host paths made visible inside (sources of bind mounts), before the command. */
function sources(args: string[]): string[] {
  const out: string[] = [];
  const end = args.indexOf("--");
  for (let i = 0; i < end; i++) {
    if (/^--(ro-|dev-)?bind(-try)?$/.test(args[i]!)) out.push(args[i + 1]!);
  }
  return out;
}

function flagPairs(args: string[], flag: string): string[][] {
  const out: string[][] = [];
  const end = args.indexOf("--");
  for (let i = 0; i < end; i++) if (args[i] === flag) out.push([args[i + 1]!, args[i + 2]!]);
  return out;
}

describe("bwrapArgs", () => {
  const args = bwrapArgs(base, MERGED);

  it("isolates namespaces, drops to nobody with no capabilities, dies with its parent", () => {
    for (const f of ["--die-with-parent", "--new-session", "--unshare-all", "--unshare-user", "--clearenv"]) expect(args).toContain(f);
    expect(args.join(" ")).toContain("--uid 65534 --gid 65534");
    expect(args.join(" ")).toContain("--cap-drop ALL");
    expect(args.join(" ")).toContain("--hostname sandbox");
    expect(args).not.toContain("--share-net");
    expect(args).not.toContain("--cap-add");
  });

  it("never exposes secrets, home directories or the state dir", () => {
    const src = sources(args);
    for (const p of src) {
      // The only /proc sources are the read-only covers over the sandbox's own procfs.
      if ((PROC_READONLY as readonly string[]).includes(p)) {
        expect(flagPairs(args, "--ro-bind-try")).toContainEqual([p, p]);
        continue;
      }
      expect(p).not.toMatch(/^\/etc\/(shadow|gshadow|sudoers)/);
      expect(p).not.toMatch(/^\/root(\/|$)/);
      expect(p === "/home" || p === "/home/alice" || p === "/home/alice/.simpleclaw" || p === "/home/alice/.ssh").toBe(false);
      expect(p).not.toBe("/");
      expect(p).not.toBe("/etc");
      expect(p).not.toBe("/tmp");
      expect(p).not.toMatch(/^\/(var|run|sys|proc|dev|boot)(\/|$)/);
    }
    // The only path under the state dir is the workspace itself.
    expect(src.filter((p) => p.startsWith("/home/alice"))).toEqual([WS]);
    expect(args.join("\0")).not.toContain("/etc/shadow");
    expect(args.join("\0")).not.toContain("/etc/sudoers");
  });

  it("mounts /usr read-only and recreates merged-/usr symlinks", () => {
    expect(flagPairs(args, "--ro-bind")).toContainEqual(["/usr", "/usr"]);
    expect(flagPairs(args, "--symlink")).toEqual([
      ["usr/bin", "/bin"],
      ["usr/sbin", "/sbin"],
      ["usr/lib", "/lib"],
      ["usr/lib64", "/lib64"],
    ]);
    const split = bwrapArgs(base, SPLIT);
    expect(flagPairs(split, "--symlink")).toEqual([]);
    expect(flagPairs(split, "--ro-bind-try")).toContainEqual(["/bin", "/bin"]);
    expect(flagPairs(split, "--ro-bind-try")).toContainEqual(["/lib64", "/lib64"]);
    expect(sources(split)).not.toContain("/lib32");
  });

  it("exposes only a curated read-only /etc subset; resolv.conf only with network", () => {
    const etc = sources(args).filter((p) => p.startsWith("/etc"));
    expect(etc).toContain("/etc/passwd");
    expect(etc).toContain("/etc/ssl/certs");
    expect(etc.some((p) => p === "/etc/ssl" || p.startsWith("/etc/ssl/private"))).toBe(false);
    expect(etc).toContain("/etc/ld.so.cache");
    expect(etc).not.toContain("/etc/resolv.conf");
    for (const p of etc) expect(flagPairs(args, "--ro-bind-try")).toContainEqual([p, p]);
    const net = bwrapArgs({ ...base, network: true }, MERGED);
    expect(net).toContain("--share-net");
    expect(sources(net)).toContain("/etc/resolv.conf");
  });

  it("re-mounts global /proc knobs read-only right after the private /proc", () => {
    const proc = args.indexOf("/proc");
    const ro = flagPairs(args, "--ro-bind-try").map(([src]) => src);
    for (const p of ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"]) {
      expect(ro).toContain(p);
      expect(args.indexOf(p)).toBeGreaterThan(proc);
    }
  });

  it("private /proc, /dev and tmpfs /tmp; read-only root", () => {
    const s = args.join(" ");
    expect(s).toContain("--proc /proc");
    expect(s).toContain("--dev /dev");
    expect(s).toContain("--tmpfs /tmp");
    expect(s).toContain("--remount-ro /");
    // /tmp must be mounted before a workspace that might live under it.
    const ws = bwrapArgs({ ...base, workspace: "/tmp/ws", cwd: "/tmp/ws" }, MERGED);
    expect(ws.indexOf("/tmp")).toBeLessThan(ws.indexOf("/tmp/ws"));
  });

  it("binds the workspace at the same path: rw, ro, or not at all", () => {
    expect(flagPairs(args, "--bind")).toEqual([[WS, WS]]);
    const ro = bwrapArgs({ ...base, workspaceAccess: "ro" }, MERGED);
    expect(flagPairs(ro, "--bind")).toEqual([]);
    expect(flagPairs(ro, "--ro-bind")).toContainEqual([WS, WS]);
    const none = bwrapArgs({ ...base, workspaceAccess: "none" }, MERGED);
    expect(sources(none).some((p) => p.startsWith("/home"))).toBe(false);
    expect(none[none.indexOf("--chdir") + 1]).toBe("/tmp");
  });

  it("chdirs into cwd when visible, else the workspace", () => {
    expect(args[args.indexOf("--chdir") + 1]).toBe(WS + "/proj");
    expect(sandboxCwd({ ...base, cwd: "/etc" })).toBe(WS);
    expect(sandboxCwd({ ...base, cwd: WS + "/../../.ssh" })).toBe(WS);
    expect(sandboxCwd({ ...base, cwd: "/tmp/x" })).toBe("/tmp/x");
    expect(sandboxCwd({ ...base, cwd: "relative" })).toBe(WS);
    expect(sandboxCwd({ ...base, workspaceAccess: "none", cwd: WS })).toBe("/tmp");
  });

  it("sets exactly the given env, with HOME and TMPDIR on the tmpfs", () => {
    const env = Object.fromEntries(flagPairs(args, "--setenv"));
    expect(env).toEqual({ PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/tmp", TMPDIR: "/tmp" });
  });

  it("ends with -- and the command verbatim", () => {
    expect(args.slice(args.indexOf("--"))).toEqual(["--", "/bin/sh", "-c", "echo hi"]);
    const tricky = bwrapArgs({ ...base, command: ["--bind", "/", "/"] }, MERGED);
    expect(tricky.slice(-4)).toEqual(["--", "--bind", "/", "/"]);
    expect(sources(tricky)).not.toContain("/");
  });

  it("adds --disable-userns when supported", () => {
    expect(args).not.toContain("--disable-userns");
    expect(bwrapArgs(base, MERGED, { disableUserns: true })).toContain("--disable-userns");
  });

  it("refuses dangerous or relative workspaces", () => {
    for (const ws of ["/", "/etc", "/root", "/home", "/tmp", "/usr", "/proc/1/root", "relative/ws", "/etc/"]) {
      expect(() => bwrapArgs({ ...base, workspace: ws, cwd: "/tmp" }, MERGED)).toThrow();
    }
    expect(() => bwrapArgs({ ...base, command: [] }, MERGED)).toThrow(/empty/);
  });
});

describe("bwrapMounts / explainSandbox", () => {
  const sandbox = { mode: "non-main" as const, required: true, backend: "auto" as const, workspaceAccess: "ro" as const, network: false };
  const bw = { name: "bwrap" as const, bin: "bwrap", features: {} };

  it("describes the mounts from the real argv", () => {
    const m = bwrapMounts(bwrapArgs({ ...base, workspaceAccess: "ro" }, MERGED));
    expect(m).toContainEqual({ path: "/usr", access: "ro" });
    expect(m).toContainEqual({ path: "/tmp", access: "tmpfs" });
    expect(m).toContainEqual({ path: "/proc", access: "proc" });
    expect(m).toContainEqual({ path: "/bin", access: "symlink", source: "usr/bin" });
    expect(m).toContainEqual({ path: WS, access: "ro" });
  });

  it("explains a required bwrap sandbox", () => {
    const e = explainSandbox({ sandbox, backend: bw, workspace: WS, layout: MERGED });
    expect(e).toMatchObject({ mode: "non-main", required: true, backend: "bwrap", network: false, workspaceAccess: "ro" });
    expect(e.reason).toBeUndefined();
    expect(e.mounts).toContainEqual({ path: WS, access: "ro" });
    expect(e.mounts.some((x) => x.path === "/etc/shadow" || x.path === "/root")).toBe(false);
  });

  it("explains a session that is not sandboxed, and a missing backend", () => {
    const off = explainSandbox({ sandbox: { ...sandbox, required: false }, backend: bw, workspace: WS });
    expect(off).toMatchObject({ required: false, backend: "none", mounts: [] });
    expect(off.reason).toMatch(/main session/);
    const none = explainSandbox({ sandbox, backend: { name: "none", reason: "bwrap unavailable: x" }, workspace: WS });
    expect(none).toMatchObject({ required: true, backend: "none" });
    expect(none.reason).toMatch(/refuse/);
  });
});

describe("selectBackend / sandboxCommand", () => {
  const probes = (b: boolean, d: boolean): Probes => ({
    bwrap: async () => (b ? { ok: true, version: "0.8.0", features: { disableUserns: true } } : { ok: false, reason: "no userns" }),
    docker: async () => (d ? { ok: true, version: "27.0" } : { ok: false, reason: "no engine" }),
  });

  it("auto prefers bwrap, then docker, then none with both reasons", async () => {
    expect((await selectBackend("auto", { probes: probes(true, true) })).name).toBe("bwrap");
    expect((await selectBackend("auto", { probes: probes(false, true) })).name).toBe("docker");
    const none = await selectBackend("auto", { probes: probes(false, false) });
    expect(none).toEqual({ name: "none", reason: "no sandbox backend: bwrap unavailable: no userns; docker unavailable: no engine" });
  });

  it("an explicit backend never falls back to another", async () => {
    expect(await selectBackend("bwrap", { probes: probes(false, true) })).toMatchObject({ name: "none" });
    expect(await selectBackend("docker", { probes: probes(true, false) })).toMatchObject({ name: "none" });
  });

  it("sandboxCommand refuses to run without a backend (no host fallback)", () => {
    expect(() => sandboxCommand({ name: "none", reason: "nothing" }, base)).toThrow(SandboxUnavailableError);
  });

  it("sandboxCommand wraps with bwrap, passing only PATH to the launcher", () => {
    const c = sandboxCommand({ name: "bwrap", bin: "bwrap", features: { disableUserns: true } }, base, { layout: MERGED });
    expect(c.file).toBe("bwrap");
    expect(c.args).toContain("--disable-userns");
    expect(Object.keys(c.hostEnv)).toEqual(["PATH"]);
    expect(c.cleanup).toBeUndefined();
  });
});

describe("bwrapArgs for the browser tool's Chromium", () => {
  it("adds only the read-only font and Chromium config dirs, nothing else", () => {
    const plain = bwrapArgs({ ...base, workspaceAccess: "none", network: true }, MERGED);
    const browser = bwrapArgs({ ...base, workspaceAccess: "none", network: true, browser: true }, MERGED);
    const extra = bwrapMounts(browser).filter((m) => !bwrapMounts(plain).some((p) => p.path === m.path));
    expect(extra).toEqual([
      { path: "/etc/fonts", access: "ro", optional: true },
      { path: "/etc/chromium", access: "ro", optional: true },
      { path: "/etc/chromium.d", access: "ro", optional: true },
    ]);
    expect(sources(browser)).not.toContain(WS);
  });
});

describe("bwrapArgs: the owner's files in a sandbox of another session", () => {
  const owner = { readOnly: [`${WS}/AGENTS.md`, `${WS}/skills`], hiddenFiles: [`${WS}/MEMORY.md`], hiddenDirs: [`${WS}/memory`] };

  it("binds them over the rw workspace: the rule files read-only, MEMORY.md as /dev/null, memory/ as an empty read-only tmpfs", () => {
    const args = bwrapArgs({ ...base, owner }, MERGED);
    const s = args.join(" ");
    const wsAt = s.indexOf(`--bind ${WS} ${WS}`);
    expect(wsAt).toBeGreaterThan(0);
    for (const m of [`--ro-bind ${WS}/AGENTS.md ${WS}/AGENTS.md`, `--ro-bind ${WS}/skills ${WS}/skills`, `--ro-bind /dev/null ${WS}/MEMORY.md`, `--tmpfs ${WS}/memory --remount-ro ${WS}/memory`]) {
      expect(s.indexOf(m), m).toBeGreaterThan(wsAt); // later mounts win
    }
    expect(bwrapMounts(args)).toEqual(expect.arrayContaining([{ path: `${WS}/MEMORY.md`, access: "ro", source: "/dev/null" }, { path: `${WS}/memory`, access: "tmpfs" }]));
  });

  it("control: without owner mounts (the main session) the workspace is one rw bind", () => {
    expect(bwrapArgs(base, MERGED).join(" ")).not.toContain("/dev/null");
  });

  it("refuses a mount path with a newline", () => {
    expect(() => bwrapArgs({ ...base, owner: { readOnly: [`${WS}/a\nb`], hiddenFiles: [], hiddenDirs: [] } }, MERGED)).toThrow(/not usable/);
  });
});

describe("ownerMounts / resolveSandboxSpec: which owner files a session other than the main session gets covered", () => {
  it("covers the existing ones by real path, follows links that stay inside, skips missing ones and links out; only for other sessions", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "sc-owner-mounts-")));
    try {
      const ws = join(dir, "ws");
      mkdirSync(join(ws, "notes-dir"), { recursive: true });
      mkdirSync(join(dir, "outside"));
      writeFileSync(join(ws, "AGENTS.md"), "r");
      writeFileSync(join(ws, "real-memory.md"), "m");
      symlinkSync("real-memory.md", join(ws, "MEMORY.md"));
      symlinkSync("notes-dir", join(ws, "memory"));
      symlinkSync(join(dir, "outside"), join(ws, "skills"));
      expect(ownerMounts(ws)).toEqual({ readOnly: [join(ws, "AGENTS.md")], hiddenFiles: [join(ws, "real-memory.md")], hiddenDirs: [join(ws, "notes-dir")] });
      mkdirSync(join(ws, "extra"));
      expect(ownerMounts(ws, [join(ws, "extra"), join(ws, "missing"), join(dir, "outside")]).hiddenDirs).toEqual([join(ws, "notes-dir"), join(ws, "extra")]);
      const spec = { workspace: ws, cwd: ws, workspaceAccess: "rw" as const, network: false, env: {}, command: ["/bin/true"] };
      const guard = { stateDir: join(dir, "state"), home: join(dir, "home") };
      expect(resolveSandboxSpec({ ...spec, sessionKey: "agent:main:telegram:direct:1" }, guard).owner?.hiddenFiles).toEqual([join(ws, "real-memory.md")]);
      expect(resolveSandboxSpec({ ...spec, sessionKey: "agent:main:main" }, guard).owner).toBeUndefined();
      expect(resolveSandboxSpec(spec, guard).owner).toBeUndefined();
      const e = explainSandbox({ sandbox: { mode: "non-main", required: true, backend: "auto", workspaceAccess: "rw", network: false }, backend: { name: "bwrap", bin: "bwrap", features: {} }, workspace: ws, layout: MERGED, owner: ownerMounts(ws) });
      expect(e.mounts).toContainEqual({ path: join(ws, "real-memory.md"), access: "ro", source: "/dev/null" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
