// bubblewrap backend (docs/exec.md). `bwrapArgs` is pure: given the host layout it
// builds the argv that runs `command` in a fresh sandbox where only these exist:
//   /usr (ro), /bin /sbin /lib* (symlinks into /usr on merged-/usr hosts, else ro),
//   a curated read-only /etc subset, a private /proc and /dev, a tmpfs /tmp,
//   and the workspace at its host path (rw, ro, or absent).
// Every other host path (/root, /home, /etc/shadow, the state dir, the host /tmp,
// /var, /run, /sys…) is simply not there. The root itself is a read-only tmpfs.
// Namespaces: all unshared (user, pid, net unless `network`, ipc, uts, cgroup);
// the command runs as uid/gid 65534 with no capabilities, in a new session, and
// is SIGKILLed when bwrap or bwrap's parent dies. Global /proc knobs (/proc/sys,
// /proc/sysrq-trigger…) are read-only: see PROC_READONLY for why that matters as root.
import { lstatSync, readlinkSync } from "node:fs";
import { isAbsolute, normalize } from "node:path";
import { runProcess } from "../exec/runner.js";

export type WorkspaceAccess = "rw" | "ro" | "none";

export interface SandboxSpec {
  /** Absolute host path of the agent workspace; bound at the same path inside. */
  workspace: string;
  /** Working directory inside the sandbox (inside the workspace, or under /tmp). */
  cwd: string;
  workspaceAccess: WorkspaceAccess;
  network: boolean;
  /** The complete environment inside the sandbox (HOME and TMPDIR are forced to /tmp). */
  env: Record<string, string>;
  /** argv to run inside, e.g. ["/bin/sh", "-c", cmd]. */
  command: string[];
  /** The browser tool's Chromium runs here: also mount ETC_BROWSER (fonts, Chromium's launcher config), read-only. */
  browser?: boolean;
  /**
   * The run's session. A session other than the owner's main session gets the owner's files
   * (security/owner-files.ts) protected inside the workspace: resolveSandboxSpec turns this into `owner`.
   */
  sessionKey?: string;
  /** memory.extraPaths (absolute): hidden too when inside the workspace, for a session other than the main session. */
  privateNotes?: string[];
  /** Existing owner files and folders to cover, as real host paths inside the workspace (set by resolveSandboxSpec). */
  owner?: OwnerMounts;
}

/** The owner's files in a sandbox of another session: bound read-only, or hidden (the private ones). */
export interface OwnerMounts {
  readOnly: string[];
  /** Files shown as an empty read-only file (/dev/null). */
  hiddenFiles: string[];
  /** Folders shown as an empty read-only folder. */
  hiddenDirs: string[];
}

function assertMountPath(p: string): string {
  if (!isAbsolute(p) || /[\0\n]/.test(p)) throw new Error(`sandbox mount path is not usable: ${JSON.stringify(p)}`);
  return normalize(p);
}

/** How the top-level system directories look on this host. */
export type TopLevelEntry = { kind: "symlink"; target: string } | { kind: "dir" } | { kind: "missing" };

export interface HostLayout {
  /** /bin, /sbin, /lib, /lib32, /lib64, /libx32 */
  entries: Record<string, TopLevelEntry>;
}

export interface BwrapFeatures {
  /** bwrap ≥ 0.8: `--disable-userns` (no nested user namespaces inside). */
  disableUserns?: boolean;
}

/** uid/gid of the command inside the sandbox ("nobody"). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
export const SANDBOX_HOSTNAME = "sandbox";
/** HOME (and TMPDIR) inside the sandbox: the private tmpfs. */
export const SANDBOX_HOME = "/tmp";
export const DEFAULT_SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

const TOP_LEVEL = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] as const;

/** Read-only /etc files and directories the sandbox may see (missing ones are skipped). */
export const ETC_READONLY = [
  "/etc/passwd",
  "/etc/group",
  "/etc/nsswitch.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/localtime",
  "/etc/timezone",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/alternatives",
  // Not all of /etc/ssl: /etc/ssl/private holds TLS keys (root-owned, group ssl-cert).
  "/etc/ssl/certs",
  "/etc/ssl/openssl.cnf",
  "/etc/ca-certificates",
  "/etc/ca-certificates.conf",
  "/etc/mime.types",
  "/etc/os-release",
] as const;
/** Extra read-only /etc entries for a sandboxed Chromium (tools/browser.ts): font config and
 * Debian's chromium launcher settings. Nothing secret lives there. */
export const ETC_BROWSER = ["/etc/fonts", "/etc/chromium", "/etc/chromium.d"] as const;
/** Extra /etc entries only when the sandbox has network access. */
export const ETC_NETWORK = ["/etc/resolv.conf", "/etc/gai.conf", "/etc/protocols", "/etc/services"] as const;

/**
 * /proc entries re-mounted read-only over the sandbox's own procfs. This matters
 * when the gateway runs as root: the sandbox's uid 65534 is then mapped to host
 * uid 0, and although it has no capabilities, plain file-mode checks still pass,
 * so without this it could write global sysctls (e.g. kernel.core_pattern, which
 * runs a program as host root) or /proc/sysrq-trigger.
 */
export const PROC_READONLY = ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", "/proc/mtrr", "/proc/pressure"] as const;

/** Host paths that must never be mounted into a sandbox (checked against the workspace too). */
export const FORBIDDEN_PATHS = ["/", "/etc", "/root", "/home", "/proc", "/sys", "/dev", "/run", "/var", "/usr", "/boot", "/tmp"];

/** Reads the host's top-level layout (merged-/usr detection). */
export function detectHostLayout(): HostLayout {
  const entries: Record<string, TopLevelEntry> = {};
  for (const p of TOP_LEVEL) {
    try {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) entries[p] = { kind: "symlink", target: readlinkSync(p) };
      else if (st.isDirectory()) entries[p] = { kind: "dir" };
      else entries[p] = { kind: "missing" };
    } catch {
      entries[p] = { kind: "missing" };
    }
  }
  return { entries };
}

let cachedLayout: HostLayout | undefined;
function hostLayout(): HostLayout {
  return (cachedLayout ??= detectHostLayout());
}

function isWithin(child: string, parent: string): boolean {
  if (parent === "/") return true;
  return child === parent || child.startsWith(parent + "/");
}

/** Throws unless `workspace` is a safe absolute path to expose. */
export function assertWorkspacePath(workspace: string): string {
  if (!isAbsolute(workspace)) throw new Error(`sandbox workspace must be an absolute path: ${workspace}`);
  const ws = normalize(workspace).replace(/\/+$/, "") || "/";
  if (FORBIDDEN_PATHS.includes(ws)) throw new Error(`refusing to expose ${ws} as a sandbox workspace`);
  if (ws.startsWith("/proc/") || ws.startsWith("/sys/") || ws.startsWith("/dev/")) {
    throw new Error(`refusing to expose ${ws} as a sandbox workspace`);
  }
  if (/[\0\n]/.test(ws)) throw new Error("sandbox workspace path contains a control character");
  return ws;
}

/** The cwd actually used inside: `cwd` if visible in the sandbox, else the workspace (or /tmp without one). */
export function sandboxCwd(spec: Pick<SandboxSpec, "workspace" | "cwd" | "workspaceAccess">): string {
  const fallback = spec.workspaceAccess === "none" ? SANDBOX_HOME : normalize(spec.workspace);
  if (!spec.cwd || !isAbsolute(spec.cwd)) return fallback;
  const cwd = normalize(spec.cwd);
  if (isWithin(cwd, "/tmp")) return cwd;
  if (spec.workspaceAccess !== "none" && isWithin(cwd, normalize(spec.workspace))) return cwd;
  return fallback;
}

/** The environment inside: `env` minus anything bwrap-hostile, with HOME/TMPDIR on the tmpfs and a PATH. */
export function sandboxEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || v.includes("\0")) continue;
    out[k] = v;
  }
  out.HOME = SANDBOX_HOME;
  out.TMPDIR = SANDBOX_HOME;
  if (!out.PATH) out.PATH = DEFAULT_SANDBOX_PATH;
  return out;
}

/** Pure: the bwrap argv (without the leading "bwrap") for `spec`. */
export function bwrapArgs(spec: SandboxSpec, layout: HostLayout = hostLayout(), features: BwrapFeatures = {}): string[] {
  if (spec.command.length === 0) throw new Error("sandbox command is empty");
  const a: string[] = [];
  // Process / namespace isolation.
  a.push("--die-with-parent", "--new-session", "--unshare-all");
  if (spec.network) a.push("--share-net");
  a.push("--unshare-user", "--uid", String(SANDBOX_UID), "--gid", String(SANDBOX_GID));
  if (features.disableUserns) a.push("--disable-userns");
  a.push("--cap-drop", "ALL", "--hostname", SANDBOX_HOSTNAME);

  // Read-only system.
  a.push("--ro-bind", "/usr", "/usr");
  for (const p of TOP_LEVEL) {
    const e = layout.entries[p] ?? { kind: "missing" };
    if (e.kind === "symlink") a.push("--symlink", e.target, p);
    else if (e.kind === "dir") a.push("--ro-bind-try", p, p);
  }
  for (const p of ETC_READONLY) a.push("--ro-bind-try", p, p);
  if (spec.network) for (const p of ETC_NETWORK) a.push("--ro-bind-try", p, p);
  if (spec.browser) for (const p of ETC_BROWSER) a.push("--ro-bind-try", p, p);

  // Private kernel views and scratch space.
  a.push("--proc", "/proc");
  for (const p of PROC_READONLY) a.push("--ro-bind-try", p, p);
  a.push("--dev", "/dev", "--tmpfs", "/tmp");

  // The workspace, at the same absolute path.
  if (spec.workspaceAccess !== "none") {
    const ws = assertWorkspacePath(spec.workspace);
    a.push(spec.workspaceAccess === "rw" ? "--bind" : "--ro-bind", ws, ws);
    // The owner's files, over the workspace bind (later mounts win): never writable, the private ones empty.
    for (const p of spec.owner?.readOnly ?? []) a.push("--ro-bind", assertMountPath(p), assertMountPath(p));
    for (const p of spec.owner?.hiddenFiles ?? []) a.push("--ro-bind", "/dev/null", assertMountPath(p));
    for (const p of spec.owner?.hiddenDirs ?? []) a.push("--tmpfs", assertMountPath(p), "--remount-ro", assertMountPath(p));
  }
  // Nothing else may be created at the top level.
  a.push("--remount-ro", "/");

  a.push("--chdir", sandboxCwd(spec));
  a.push("--clearenv");
  for (const [k, v] of Object.entries(sandboxEnv(spec.env))) a.push("--setenv", k, v);
  a.push("--", ...spec.command);
  return a;
}

export interface MountInfo {
  path: string;
  access: "ro" | "rw" | "tmpfs" | "proc" | "dev" | "symlink";
  source?: string;
  optional?: boolean;
}

/** Mounts described by a bwrapArgs() argv (for `sandbox explain`). */
export function bwrapMounts(args: string[]): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    const n1 = args[i + 1] ?? "";
    const n2 = args[i + 2] ?? "";
    switch (a) {
      case "--ro-bind":
      case "--ro-bind-try":
        mounts.push({ path: n2, access: "ro", ...(n1 !== n2 ? { source: n1 } : {}), ...(a.endsWith("-try") ? { optional: true } : {}) });
        i += 2;
        break;
      case "--bind":
      case "--bind-try":
        mounts.push({ path: n2, access: "rw", ...(n1 !== n2 ? { source: n1 } : {}), ...(a.endsWith("-try") ? { optional: true } : {}) });
        i += 2;
        break;
      case "--symlink":
        mounts.push({ path: n2, access: "symlink", source: n1 });
        i += 2;
        break;
      case "--tmpfs":
        mounts.push({ path: n1, access: "tmpfs" });
        i += 1;
        break;
      case "--proc":
        mounts.push({ path: n1, access: "proc" });
        i += 1;
        break;
      case "--dev":
        mounts.push({ path: n1, access: "dev" });
        i += 1;
        break;
      case "--setenv":
        i += 2;
        break;
      case "--uid":
      case "--gid":
      case "--chdir":
      case "--hostname":
      case "--cap-drop":
      case "--cap-add":
      case "--remount-ro":
      case "--unsetenv":
        i += 1;
        break;
      default:
        break;
    }
  }
  return mounts;
}

export interface BwrapStatus {
  ok: boolean;
  reason?: string;
  version?: string;
  features?: BwrapFeatures;
}

function parseVersion(s: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(s);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * Is bubblewrap usable here? Runs `bwrap --version`, then a real minimal sandbox
 * with the same isolation flags the backend uses, so a kernel without (unprivileged)
 * user namespaces, a seccomp profile that blocks unshare/mount, or an AppArmor
 * userns restriction is reported as unavailable with bwrap's own message.
 */
export async function bwrapAvailable(bin = "bwrap"): Promise<BwrapStatus> {
  const env = { PATH: process.env.PATH ?? DEFAULT_SANDBOX_PATH };
  const v = await runProcess({ file: bin, args: ["--version"], cwd: "/", env, timeoutMs: 5000, maxOutputBytes: 4096 });
  if (v.error || v.exitCode !== 0) {
    const why = v.error?.includes("ENOENT") ? "bwrap is not installed (install the bubblewrap package)" : (v.error ?? v.stderr.trim()) || `bwrap --version exited with ${v.exitCode ?? v.signal}`;
    return { ok: false, reason: why };
  }
  const version = v.stdout.trim().replace(/^bubblewrap\s+/i, "");
  const parsed = parseVersion(version);
  const features: BwrapFeatures = { disableUserns: !!parsed && (parsed[0] > 0 || parsed[1] >= 8) };
  const probe = bwrapArgs(
    { workspace: "/nonexistent", cwd: "/tmp", workspaceAccess: "none", network: false, env: {}, command: ["/bin/sh", "-c", "exit 0"] },
    hostLayout(),
    features,
  );
  const r = await runProcess({ file: bin, args: probe, cwd: "/", env, timeoutMs: 10_000, maxOutputBytes: 8192 });
  if (r.exitCode !== 0) {
    const msg = (r.error ?? r.stderr.trim()) || (r.timedOut ? "timed out" : `exit ${r.exitCode ?? r.signal}`);
    return { ok: false, version, reason: `bwrap cannot create a sandbox here (user namespaces unavailable or blocked?): ${msg}` };
  }
  return { ok: true, version, features };
}
