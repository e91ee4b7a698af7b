// Picking and using a sandbox backend (docs/exec.md).
// `auto`: bwrap if it can really build a sandbox here, else docker if an engine
// answers, else none. A session that must be sandboxed and gets `none` must fail
// with a clear tool error: nothing here ever falls back to running on the host.
import { randomBytes } from "node:crypto";
import { realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, normalize, relative } from "node:path";
import { stateDir as defaultStateDir } from "../config/paths.js";
import { runProcess, type RunResult } from "../exec/runner.js";
import type { RunSandbox } from "../security/sandbox-scope.js";
import {
  bwrapArgs,
  bwrapAvailable,
  bwrapMounts,
  detectHostLayout,
  DEFAULT_SANDBOX_PATH,
  sandboxCwd,
  type BwrapFeatures,
  type BwrapStatus,
  type HostLayout,
  type MountInfo,
  type OwnerMounts,
  type SandboxSpec,
} from "./bwrap.js";
import { DEFAULT_DOCKER_IMAGE, DOCKER_TMPFS, dockerAvailable, dockerCliEnv, dockerRunArgs, type DockerStatus } from "./docker.js";
import { isInside } from "../security/fs-containment.js";
import { isMainSession, OWNER_ENTRIES } from "../security/owner-files.js";

export type BackendPreference = "auto" | "bwrap" | "docker";

export type SandboxBackend =
  | { name: "bwrap"; bin: string; version?: string; features: BwrapFeatures }
  | { name: "docker"; bin: string; version?: string; image: string }
  | { name: "none"; reason: string };

export interface Probes {
  bwrap(): Promise<BwrapStatus>;
  docker(): Promise<DockerStatus>;
}

let bwrapProbe: Promise<BwrapStatus> | undefined;
let dockerProbe: Promise<DockerStatus> | undefined;

/** Real probes, each run at most once per process. */
export const cachedProbes: Probes = {
  bwrap: () => (bwrapProbe ??= bwrapAvailable()),
  docker: () => (dockerProbe ??= dockerAvailable()),
};

/** Forget cached probe results (tests, `sandbox explain --refresh`). */
export function resetBackendCache(): void {
  bwrapProbe = undefined;
  dockerProbe = undefined;
}

export async function selectBackend(
  preference: BackendPreference,
  opts: { probes?: Probes; image?: string } = {},
): Promise<SandboxBackend> {
  const probes = opts.probes ?? cachedProbes;
  const image = opts.image ?? DEFAULT_DOCKER_IMAGE;
  const tryBwrap = async (): Promise<SandboxBackend> => {
    const s = await probes.bwrap();
    if (s.ok) return { name: "bwrap", bin: "bwrap", ...(s.version ? { version: s.version } : {}), features: s.features ?? {} };
    return { name: "none", reason: `bwrap unavailable: ${s.reason ?? "unknown reason"}` };
  };
  const tryDocker = async (): Promise<SandboxBackend> => {
    const s = await probes.docker();
    if (s.ok) return { name: "docker", bin: "docker", ...(s.version ? { version: s.version } : {}), image };
    return { name: "none", reason: `docker unavailable: ${s.reason ?? "unknown reason"}` };
  };
  if (preference === "bwrap") return tryBwrap();
  if (preference === "docker") return tryDocker();
  const b = await tryBwrap();
  if (b.name !== "none") return b;
  const d = await tryDocker();
  if (d.name !== "none") return d;
  return { name: "none", reason: `no sandbox backend: ${b.reason}; ${d.reason}` };
}

export class SandboxUnavailableError extends Error {
  constructor(reason: string) {
    super(`this session must run sandboxed, but no sandbox backend is available (${reason}); refusing to run on the host`);
    this.name = "SandboxUnavailableError";
  }
}

export interface WorkspaceGuard {
  /** Defaults to the state dir from the environment (~/.simpleclaw). */
  stateDir?: string;
  /** Defaults to os.homedir(). */
  home?: string;
}


function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return normalize(p);
  }
}

/**
 * Resolves symlinks in the workspace and refuses workspaces that would expose the
 * state dir or the whole home directory. Returns the spec with real paths.
 */
export function resolveSandboxSpec(spec: SandboxSpec, guard: WorkspaceGuard = {}): SandboxSpec {
  if (spec.workspaceAccess === "none") return { ...spec, cwd: sandboxCwd(spec) };
  if (!isAbsolute(spec.workspace)) throw new Error(`sandbox workspace must be an absolute path: ${spec.workspace}`);
  let ws: string;
  try {
    ws = realpathSync(spec.workspace);
  } catch {
    throw new Error(`sandbox workspace does not exist: ${spec.workspace}`);
  }
  const state = realOrSelf(guard.stateDir ?? defaultStateDir());
  const home = realOrSelf(guard.home ?? homedir());
  if (isInside(ws, state)) throw new Error(`refusing to sandbox with workspace ${ws}: it contains the state dir ${state}`);
  if (isInside(ws, home)) throw new Error(`refusing to sandbox with workspace ${ws}: it contains the home directory ${home}`);
  // Rebase a cwd given under the unresolved workspace path.
  let cwd = spec.cwd;
  const orig = normalize(spec.workspace);
  if (cwd && isAbsolute(cwd) && isInside(orig, normalize(cwd))) cwd = normalize(ws + "/" + relative(orig, normalize(cwd)));
  const next = { ...spec, workspace: ws, cwd };
  const owner = spec.sessionKey !== undefined && !isMainSession(spec.sessionKey) ? ownerMounts(ws, spec.privateNotes) : undefined;
  return { ...next, cwd: sandboxCwd(next), ...(owner ? { owner } : {}) };
}

/**
 * The owner's files and folders (security/owner-files.ts) that exist in the workspace `ws` (a real
 * path), as real paths: a symbolic link is followed when it stays inside the workspace (one
 * leading outside is not visible in the sandbox anyway). One that does not exist is not covered:
 * a bind needs something to mount over, and we never create files in the owner's workspace
 * (docs/exec.md "The owner's files in the sandbox"). `privateNotes` (memory.extraPaths) inside
 * the workspace are hidden like memory/.
 */
export function ownerMounts(ws: string, privateNotes: readonly string[] = []): OwnerMounts {
  const m: OwnerMounts = { readOnly: [], hiddenFiles: [], hiddenDirs: [] };
  const entries = [...OWNER_ENTRIES.map((e) => ({ path: join(ws, e.name), private: e.private })), ...privateNotes.map((p) => ({ path: p, private: true }))];
  for (const e of entries) {
    let real: string;
    try {
      real = realpathSync(e.path);
    } catch {
      continue;
    }
    if (real === ws || !isInside(ws, real)) continue;
    let dir: boolean;
    try {
      const st = statSync(real);
      if (!st.isDirectory() && !st.isFile()) continue;
      dir = st.isDirectory();
    } catch {
      continue;
    }
    if ([...m.readOnly, ...m.hiddenFiles, ...m.hiddenDirs].includes(real)) continue;
    if (!e.private) m.readOnly.push(real);
    else if (dir) m.hiddenDirs.push(real);
    else m.hiddenFiles.push(real);
  }
  return m;
}

export interface SandboxedCommand {
  file: string;
  args: string[];
  /** Environment for the launcher itself (bwrap / docker CLI), not the sandboxed command. */
  hostEnv: Record<string, string>;
  /** Run after the process ended (docker: force-remove the container in case the CLI was killed). */
  cleanup?: () => Promise<void>;
}

/**
 * Wraps `spec.command` for `backend`. Throws SandboxUnavailableError for `none`
 * (never runs unsandboxed). `spec.workspace` should already be resolved
 * (resolveSandboxSpec) when it may contain symlinks.
 */
export function sandboxCommand(
  backend: SandboxBackend,
  spec: SandboxSpec,
  opts: { layout?: HostLayout; containerName?: string } = {},
): SandboxedCommand {
  if (backend.name === "none") throw new SandboxUnavailableError(backend.reason);
  if (backend.name === "bwrap") {
    return {
      file: backend.bin,
      args: bwrapArgs(spec, opts.layout ?? detectHostLayout(), backend.features),
      hostEnv: { PATH: process.env.PATH ?? DEFAULT_SANDBOX_PATH },
    };
  }
  const name = opts.containerName ?? `simpleclaw-sbx-${randomBytes(6).toString("hex")}`;
  const bin = backend.bin;
  return {
    file: bin,
    args: dockerRunArgs({ ...spec, image: backend.image, name }),
    hostEnv: dockerCliEnv(),
    cleanup: async () => {
      await runProcess({ file: bin, args: ["rm", "-f", name], cwd: "/", env: dockerCliEnv(), timeoutMs: 10_000, maxOutputBytes: 4096 });
    },
  };
}

/** Runs `spec` in the sandbox with the host runner's timeout, abort and output cap. */
export async function runSandboxed(
  backend: SandboxBackend,
  spec: SandboxSpec,
  run: { timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal; stdin?: string; guard?: WorkspaceGuard },
): Promise<RunResult> {
  const cmd = sandboxCommand(backend, resolveSandboxSpec(spec, run.guard));
  try {
    return await runProcess({
      file: cmd.file,
      args: cmd.args,
      cwd: "/",
      env: cmd.hostEnv,
      timeoutMs: run.timeoutMs,
      maxOutputBytes: run.maxOutputBytes,
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.stdin !== undefined ? { stdin: run.stdin } : {}),
    });
  } finally {
    await cmd.cleanup?.().catch(() => {});
  }
}

export interface SandboxExplanation {
  mode: RunSandbox["mode"];
  required: boolean;
  backend: "bwrap" | "docker" | "none";
  mounts: MountInfo[];
  network: boolean;
  workspaceAccess: RunSandbox["workspaceAccess"];
  reason?: string;
}

/**
 * Pure: what a command in this session would see (for `simpleclaw sandbox explain`).
 * `backend` is the result of selectBackend() for `sandbox.backend`.
 */
export function explainSandbox(input: {
  sandbox: RunSandbox;
  backend: SandboxBackend;
  workspace: string;
  layout?: HostLayout;
  /** The owner's files covered in this session (ownerMounts; only for a session other than the main session). */
  owner?: OwnerMounts;
}): SandboxExplanation {
  const { sandbox } = input;
  const base = { mode: sandbox.mode, required: sandbox.required, network: sandbox.network, workspaceAccess: sandbox.workspaceAccess };
  if (!sandbox.required) {
    return {
      ...base,
      backend: "none",
      mounts: [],
      reason:
        sandbox.mode === "off"
          ? "sandbox.mode is off: commands run on the host"
          : "this is the agent's main session (sandbox.mode non-main): commands run on the host",
    };
  }
  if (input.backend.name === "none") {
    return { ...base, backend: "none", mounts: [], reason: `sandbox required but unavailable, tools will refuse to run: ${input.backend.reason}` };
  }
  const spec: SandboxSpec = {
    workspace: input.workspace,
    cwd: input.workspace,
    workspaceAccess: sandbox.workspaceAccess,
    network: sandbox.network,
    env: {},
    command: ["/bin/sh"],
    ...(input.owner ? { owner: input.owner } : {}),
  };
  if (input.backend.name === "bwrap") {
    return { ...base, backend: "bwrap", mounts: bwrapMounts(bwrapArgs(spec, input.layout ?? detectHostLayout(), input.backend.features)) };
  }
  const mounts: MountInfo[] = [
    { path: "/", access: "ro", source: `image ${input.backend.image}` },
    { path: "/tmp", access: "tmpfs", source: DOCKER_TMPFS },
  ];
  if (sandbox.workspaceAccess !== "none") {
    mounts.push({ path: normalize(input.workspace), access: sandbox.workspaceAccess });
    for (const p of input.owner?.readOnly ?? []) mounts.push({ path: p, access: "ro" });
    for (const p of input.owner?.hiddenFiles ?? []) mounts.push({ path: p, access: "ro", source: "/dev/null" });
    for (const p of input.owner?.hiddenDirs ?? []) mounts.push({ path: p, access: "tmpfs" });
  }
  return { ...base, backend: "docker", mounts };
}
