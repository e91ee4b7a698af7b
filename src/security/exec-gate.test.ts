// The exec gate, read directly with a fake filesystem: the shared case table
// (exec-gate.cases.ts), the policy table, and the allowlist rules for profiled programs.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Resolver } from "./exec-parse.js";
import { escapeGlob, exactEntry, type AllowlistEntry } from "./exec-allowlist.js";
import type { ExecPolicy } from "./exec-policy.js";
import { ALLOWLISTED, CASES } from "./exec-gate.cases.js";
import { decideExecGate, type ExecGateInput } from "./exec-gate.js";
import { getopt } from "./exec-profiles/getopt.js";
import { identities } from "./exec-profiles/index.js";

/** A machine where every program of the table (and rm, watch) lives in /usr/bin, with a few real-world twists. */
const SPECIAL: Record<string, string> = {
  linux32: "/usr/bin/setarch",
  linux64: "/usr/bin/setarch",
  fakeroot: "/usr/bin/fakeroot-sysv",
  awk: "/usr/bin/mawk",
  gsed: "/opt/homebrew/bin/gsed",
  gawk: "/opt/homebrew/bin/gawk",
  gfind: "/opt/homebrew/bin/gfind",
  gxargs: "/opt/homebrew/bin/gxargs",
  gsort: "/opt/homebrew/bin/gsort",
  gtar: "/opt/homebrew/bin/gtar",
  gmake: "/opt/homebrew/bin/gmake",
  gcp: "/opt/homebrew/bin/gcp",
  gpatch: "/opt/homebrew/bin/gpatch",
  npm: "/usr/lib/node_modules/npm/bin/npm-cli.js",
  npx: "/usr/lib/node_modules/npm/bin/npx-cli.js",
};
const PROGRAMS = new Set([...ALLOWLISTED, "shred", "watch"]);
const real = (name: string) => SPECIAL[name] ?? `/usr/bin/${name}`;
const fake: Resolver = {
  executable(p) {
    if (Object.values(SPECIAL).includes(p)) return p;
    const name = path.basename(p);
    if (!PROGRAMS.has(name)) return null;
    const r = real(name);
    // only the directory the program really lives in holds it
    return path.dirname(p) === path.dirname(r) || p === `/usr/bin/${name}` ? r : null;
  },
  realpath: kernelPath,
  // One planted hard link (its twin is outside the workspace); no other file has one.
  hardLinked: (p) => path.basename(p) === "twin.txt",
};

/** Symbolic links on the fake machine (the readers' workspace has the same one). */
const LINKS: Record<string, string> = { "/ws/lnk": "/elsewhere/sub", "/ws/out/planted": "/elsewhere/victim" };
/** Resolve like the kernel: components in order, a symlink replaced by its target before a later `..`. */
function kernelPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else {
      out.push(part);
      const link = LINKS["/" + out.join("/")];
      if (link) out.splice(0, out.length, ...link.split("/").filter(Boolean));
    }
  }
  return "/" + out.join("/");
}
const PATH = "/opt/homebrew/bin:/usr/bin:/bin";
const ANY: AllowlistEntry[] = ALLOWLISTED.map((n) => ({ id: n, pattern: escapeGlob(real(n)), args: ["*"], source: "manual", createdAt: 0 }));
const OFF: ExecPolicy = { security: "allowlist", ask: "off", askFallback: "deny", timeoutSeconds: 120 };

function gate(command: string, over: Partial<ExecGateInput> = {}) {
  return decideExecGate({
    command,
    caller: { kind: "agent", agentId: "main", sandboxed: false, owner: false },
    policy: OFF,
    allowlist: ANY,
    PATH,
    cwd: "/ws",
    root: "/ws",
    resolver: fake,
    ...over,
  });
}

describe("the shared case table, through the gate", () => {
  it("has at least 150 cases, every class with several spellings, and positive controls", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    const per = new Map<string, number>();
    for (const c of CASES) per.set(c.cls, (per.get(c.cls) ?? 0) + 1);
    for (const [cls, n] of per) expect(n, cls).toBeGreaterThanOrEqual(4);
    expect(per.get("positive")).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.filter((c) => c.allow).map((c) => [c.command] as const))("positive control %j runs", (command) => {
    const r = gate(command);
    expect(r, r.reason).toMatchObject({ decision: "allow" });
    expect(r.run).toEqual({ file: "/bin/sh", args: ["-c", command], cwd: "/ws" });
  });

  it.each(CASES.filter((c) => !c.allow).map((c) => [c.cls, c.command, c.why] as const))("%s attack %j is refused", (_cls, command, why) => {
    const r = gate(command);
    expect(r.decision).toBe("deny");
    if (why) expect(r.reason).toMatch(why);
    // the same command asks (not runs) when ask is on
    expect(gate(command, { policy: { ...OFF, ask: "on-miss" } }).decision).toMatch(/ask|deny/);
  });
});

describe("policy", () => {
  it("deny never runs, even allowlisted; always asks, even in full mode", () => {
    expect(gate("ls", { policy: { ...OFF, security: "deny" } }).decision).toBe("deny");
    expect(gate("ls", { policy: { ...OFF, security: "full", ask: "always" } }).decision).toBe("ask");
  });
  it("full runs anything except control characters", () => {
    expect(gate("shred -u x", { policy: { ...OFF, security: "full" } }).decision).toBe("allow");
    expect(gate("ls\r", { policy: { ...OFF, security: "full" } }).decision).toBe("deny");
  });
  it("a miss asks with on-miss and is denied with off, in one sentence", () => {
    const ask = gate("shred x", { policy: { ...OFF, ask: "on-miss" } });
    expect(ask).toMatchObject({ decision: "ask" });
    expect(ask.reason).toMatch(/^needs approval because no allowlist entry matches \/usr\/bin\/shred in "shred x"\.$/);
    expect(gate("shred x").reason).toMatch(/^not allowed because .*, and ask is off\.$/);
  });
  it("cwd outside the confinement root is refused", () => {
    expect(gate("ls", { cwd: "/home/me" }).reason).toMatch(/outside the workspace/);
  });
  it("no confinement root: no file redirects, /dev/null still fine", () => {
    expect(gate("echo x > out.txt", { root: null }).reason).toMatch(/no workspace is configured/);
    expect(gate("echo x > /dev/null", { root: null }).decision).toBe("allow");
  });
  it("extra environment variables from the caller are a miss unless harmless", () => {
    expect(gate("ls", { env: { LANG: "C" } }).decision).toBe("allow");
    expect(gate("ls", { env: { LD_PRELOAD: "/tmp/x.so" } }).reason).toMatch(/LD_PRELOAD/);
  });
});

describe("allowlist entries for profiled programs", () => {
  const entry = (pattern: string, args?: string[]): AllowlistEntry => ({ id: "x", pattern, ...(args ? { args } : {}), source: "manual", createdAt: 0 });
  it("an entry with literal arguments is the owner's approval of exactly those words", () => {
    const allowlist = [entry("/usr/bin/sed", ["1e", "f"])];
    expect(gate("sed 1e f", { allowlist }).decision).toBe("allow");
    expect(gate("sed 1e g", { allowlist }).decision).toBe("deny");
  });
  it("a literal entry approves words, not where a link planted later sends them: a workspace path that now leads outside is a miss", () => {
    // allow-always on `tee out/planted` when it was a plain file; the agent then made it a link out
    expect(gate("tee out/planted", { allowlist: [entry("/usr/bin/tee", ["out/planted"])] }).reason).toMatch(/out\/planted.*outside the workspace/);
    expect(gate("cp f out/planted", { allowlist: [entry("/usr/bin/cp", ["f", "out/planted"])] }).decision).toBe("deny");
    expect(gate("rm lnk/x", { allowlist: [entry("/usr/bin/rm", ["lnk/x"])] }).decision).toBe("deny");
    // controls: the same words into a plain workspace file, and an outside path the owner named himself
    expect(gate("tee out/new", { allowlist: [entry("/usr/bin/tee", ["out/new"])] }).decision).toBe("allow");
    expect(gate("tee /elsewhere/log", { allowlist: [entry("/usr/bin/tee", ["/elsewhere/log"])] }).decision).toBe("allow");
  });
  it("an entry with patterns in its arguments admits only the safe profile", () => {
    const allowlist = [entry("/usr/bin/sed", ["-n", "*"])];
    expect(gate("sed -n 1p", { allowlist }).decision).toBe("allow");
    expect(gate("sed -n 1e", { allowlist }).reason).toMatch(/e command.*safe profile/);
  });
  it("a wrapped command needs its own entry", () => {
    const allowlist = [entry("/usr/bin/nice")];
    expect(gate("nice ls", { allowlist }).reason).toMatch(/no allowlist entry matches \/usr\/bin\/ls/);
    expect(gate("nice ls", { allowlist: [...allowlist, entry("/usr/bin/ls")] }).decision).toBe("allow");
  });
  it("lists the wrapped command even when the wrapper itself has no entry, so allow-always covers both", () => {
    const r = gate("nice -n 5 timeout 9 python3 x.py", { allowlist: [] });
    expect(r.decision).toBe("deny");
    expect(r.segments.map((s) => [s.argv, s.wrappedBy])).toEqual([
      [["nice", "-n", "5", "timeout", "9", "python3", "x.py"], undefined],
      [["timeout", "9", "python3", "x.py"], 0],
      [["python3", "x.py"], 1],
    ]);
    // what allow-always would write for those segments admits exactly that line
    const allowlist = r.segments.map((s, i) => ({ id: String(i), source: "allow-always" as const, createdAt: 0, ...exactEntry(s) }));
    expect(gate("nice -n 5 timeout 9 python3 x.py", { allowlist }).decision).toBe("allow");
    expect(gate("nice -n 5 timeout 9 python3 y.py", { allowlist }).decision).toBe("deny");
  });
  it("returns every simple command, wrapped ones included, for allow-always", () => {
    const r = gate("nice -n 5 ls -la | wc -l");
    expect(r.segments.map((s) => [s.argv, s.wrappedBy])).toEqual([
      [["nice", "-n", "5", "ls", "-la"], undefined],
      [["ls", "-la"], 0],
      [["wc", "-l"], undefined],
    ]);
  });
});

describe("identity", () => {
  it("normalises g prefixes, versions, alternatives suffixes and multi-call binaries", () => {
    expect(identities("gsed", "/opt/homebrew/bin/gsed")).toEqual(["sed"]);
    expect(identities("python3.12", "/usr/bin/python3.12")).toEqual(["python"]);
    expect(identities("awk", "/usr/bin/mawk")).toEqual(["mawk"]);
    expect(identities("gawk", "/opt/homebrew/bin/gawk")).toEqual(["awk"]);
    expect(identities("vi", "/usr/bin/vim.basic")).toEqual(["vim"]);
    expect(identities("fakeroot", "/usr/bin/fakeroot-sysv")).toEqual(["fakeroot"]);
    expect(identities("linux32", "/usr/bin/setarch")).toEqual(["linux32"]);
    expect(identities("sed", "/bin/busybox")).toEqual(["sed"]);
    expect(identities("ls", "/usr/bin/coreutils")).toEqual(["ls"]);
    expect(identities("coreutils", "/usr/bin/coreutils")).toEqual(["coreutils"]);
    expect(identities("gzip", "/usr/bin/gzip")).toEqual(["gzip"]);
    expect(identities("git", "/usr/bin/git")).toEqual(["git"]);
  });
  it("a symlink named ls that points at a shell is the shell", () => {
    expect(identities("ls", "/usr/bin/dash")).toEqual(["dash"]);
  });
  it("a script installed under a program's name is that program, and a profiled link name narrows", () => {
    expect(identities("npm", "/usr/lib/node_modules/npm/bin/npm-cli.js")).toEqual(["npm"]);
    expect(identities("/usr/lib/node_modules/npm/bin/npx-cli.js", "/usr/lib/node_modules/npm/bin/npx-cli.js")).toEqual(["npx"]);
    expect(identities("vitest", "/w/node_modules/vitest/vitest.mjs")).toEqual(["vitest"]);
    expect(identities("./sed", "/usr/bin/cat")).toEqual(["cat", "sed"]);
  });
});

describe("getopt_long", () => {
  const g = { short: "ne:f:i::", long: { quiet: "n", expression: "e", "exclude": 1, file: "f", "in-place": "i" } } as const;
  it("resolves unambiguous abbreviations, refuses ambiguous and unknown ones", () => {
    expect(getopt(g, ["--expr=1e"])).toMatchObject({ ok: true, opts: [{ name: "e", value: "1e" }] });
    expect(getopt(g, ["--ex", "x"])).toMatchObject({ ok: false, reason: expect.stringMatching(/ambiguous/) });
    expect(getopt(g, ["--nope"])).toMatchObject({ ok: false, reason: expect.stringMatching(/not an option/) });
  });
  it("reads clusters, attached values, optional values and --", () => {
    expect(getopt(g, ["-ne1p", "f"])).toMatchObject({ ok: true, opts: [{ name: "n" }, { name: "e", value: "1p" }], operands: ["f"] });
    expect(getopt(g, ["-i", "x"])).toMatchObject({ ok: true, opts: [{ name: "i" }], operands: ["x"] });
    expect(getopt(g, ["-i.bak"])).toMatchObject({ ok: true, opts: [{ name: "i", value: ".bak" }] });
    expect(getopt(g, ["--", "-e", "x"])).toMatchObject({ ok: true, opts: [], operands: ["-e", "x"] });
    expect(getopt(g, ["a", "-n"])).toMatchObject({ ok: true, opts: [{ name: "n" }], operands: ["a"] });
    expect(getopt({ ...g, stopAtOperand: true }, ["a", "-n"])).toMatchObject({ ok: true, opts: [], operands: ["a", "-n"] });
  });
});
