// Docker backend (docs/exec.md). `dockerRunArgs` is pure: the argv (without the
// leading "docker") for a throwaway container that runs one command with a
// read-only root, no capabilities, no privilege escalation, a non-root user,
// no network unless asked, pids/memory limits, a small tmpfs /tmp and the
// workspace bound at its host path (rw, ro, or not at all).
import { runProcess } from "../exec/runner.js";
import { assertWorkspacePath, sandboxCwd, sandboxEnv, type SandboxSpec } from "./bwrap.js";

export const DEFAULT_DOCKER_IMAGE = "debian:bookworm-slim";
export const DOCKER_USER = "65534:65534";
export const DOCKER_PIDS_LIMIT = 256;
export const DOCKER_MEMORY = "1g";
export const DOCKER_TMPFS = "/tmp:rw,noexec,nosuid,size=64m";

export interface DockerSpec extends SandboxSpec {
  image: string;
  /** Container name (unique per run; used to force-remove it after a kill). */
  name: string;
  /** Defaults to 65534:65534. Root ("0", "root", "0:…") is refused. */
  user?: string;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** Pure: the docker argv (starting with "run") for `spec`. */
export function dockerRunArgs(spec: DockerSpec): string[] {
  if (spec.command.length === 0) throw new Error("sandbox command is empty");
  if (!NAME_RE.test(spec.name)) throw new Error(`invalid container name: ${spec.name}`);
  if (!spec.image || spec.image.startsWith("-")) throw new Error(`invalid image: ${spec.image}`);
  const user = spec.user ?? DOCKER_USER;
  if (/^(0|root)(:|$)/.test(user)) throw new Error("refusing to run the sandbox container as root");

  const a: string[] = ["run", "--rm", "-i", "--name", spec.name];
  a.push("--network", spec.network ? "bridge" : "none");
  a.push("--read-only", "--cap-drop=ALL", "--security-opt", "no-new-privileges");
  a.push("--user", user);
  a.push("--pids-limit", String(DOCKER_PIDS_LIMIT), "--memory", DOCKER_MEMORY, "--memory-swap", DOCKER_MEMORY);
  a.push("--tmpfs", DOCKER_TMPFS);
  a.push("--ipc", "none", "--hostname", "sandbox", "--init");
  if (spec.workspaceAccess !== "none") {
    const ws = assertWorkspacePath(spec.workspace);
    if (ws.includes(":") || ws.includes(",")) throw new Error(`workspace path not usable with docker -v: ${ws}`);
    a.push("-v", spec.workspaceAccess === "ro" ? `${ws}:${ws}:ro` : `${ws}:${ws}`);
    // The owner's files (bwrap.ts OwnerMounts): read-only, the private ones empty.
    const usable = (p: string) => {
      if (!p.startsWith("/") || /[:,\0\n]/.test(p)) throw new Error(`path not usable with docker -v: ${p}`);
      return p;
    };
    for (const p of spec.owner?.readOnly ?? []) a.push("-v", `${usable(p)}:${p}:ro`);
    for (const p of spec.owner?.hiddenFiles ?? []) a.push("-v", `/dev/null:${usable(p)}:ro`);
    for (const p of spec.owner?.hiddenDirs ?? []) a.push("--tmpfs", `${usable(p)}:ro`);
  }
  a.push("-w", sandboxCwd(spec));
  for (const [k, v] of Object.entries(sandboxEnv(spec.env))) a.push("-e", `${k}=${v}`);
  // `docker run` stops parsing flags at the image, so the command is passed verbatim.
  a.push(spec.image, ...spec.command);
  return a;
}

/** Environment for the docker CLI itself (engine address and config only). */
export function dockerCliEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "XDG_RUNTIME_DIR"]) {
    const v = base[k];
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

export interface DockerStatus {
  ok: boolean;
  reason?: string;
  version?: string;
}

/** Does a docker engine answer? `docker info --format {{.ServerVersion}}` with a short timeout. */
export async function dockerAvailable(bin = "docker", timeoutMs = 5000): Promise<DockerStatus> {
  const r = await runProcess({
    file: bin,
    args: ["info", "--format", "{{.ServerVersion}}"],
    cwd: "/",
    env: dockerCliEnv(),
    timeoutMs,
    maxOutputBytes: 8192,
  });
  if (r.error) {
    return { ok: false, reason: r.error.includes("ENOENT") ? "docker CLI is not installed" : `docker: ${r.error}` };
  }
  if (r.timedOut) return { ok: false, reason: `docker engine did not answer within ${timeoutMs} ms` };
  const version = r.stdout.trim();
  if (r.exitCode !== 0 || !version) {
    const msg = r.stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? `exit ${r.exitCode ?? r.signal}`;
    return { ok: false, reason: `no docker engine answers: ${msg}` };
  }
  return { ok: true, version };
}
