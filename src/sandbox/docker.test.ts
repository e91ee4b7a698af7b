import { describe, expect, it } from "vitest";
import { DEFAULT_DOCKER_IMAGE, dockerAvailable, dockerCliEnv, dockerRunArgs, type DockerSpec } from "./docker.js";
import { explainSandbox, sandboxCommand } from "./backend.js";

const WS = "/srv/agent/workspace";
const base: DockerSpec = {
  workspace: WS,
  cwd: WS,
  workspaceAccess: "rw",
  network: false,
  env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" },
  command: ["/bin/sh", "-c", "echo hi"],
  image: DEFAULT_DOCKER_IMAGE,
  name: "simpleclaw-sbx-test",
};

function opt(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function all(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe("dockerRunArgs", () => {
  const args = dockerRunArgs(base);

  it("runs a throwaway, locked-down container", () => {
    expect(args.slice(0, 3)).toEqual(["run", "--rm", "-i"]);
    expect(opt(args, "--name")).toBe("simpleclaw-sbx-test");
    expect(args).toContain("--read-only");
    expect(args).toContain("--cap-drop=ALL");
    expect(opt(args, "--security-opt")).toBe("no-new-privileges");
    expect(opt(args, "--pids-limit")).toBe("256");
    expect(opt(args, "--memory")).toBe("1g");
    expect(opt(args, "--tmpfs")).toBe("/tmp:rw,noexec,nosuid,size=64m");
    expect(args).not.toContain("--privileged");
    expect(args.some((a) => a.startsWith("--cap-add"))).toBe(false);
  });

  it("runs as a non-root user and refuses root", () => {
    expect(opt(args, "--user")).toBe("65534:65534");
    expect(opt(dockerRunArgs({ ...base, user: "1000:1000" }), "--user")).toBe("1000:1000");
    for (const user of ["0", "root", "0:0", "root:root"]) expect(() => dockerRunArgs({ ...base, user })).toThrow(/root/);
  });

  it("has no network unless asked", () => {
    expect(opt(args, "--network")).toBe("none");
    expect(opt(dockerRunArgs({ ...base, network: true }), "--network")).toBe("bridge");
  });

  it("mounts only the workspace, at its path: rw, ro, or not at all", () => {
    expect(all(args, "-v")).toEqual([`${WS}:${WS}`]);
    expect(opt(args, "-w")).toBe(WS);
    expect(all(dockerRunArgs({ ...base, workspaceAccess: "ro" }), "-v")).toEqual([`${WS}:${WS}:ro`]);
    const none = dockerRunArgs({ ...base, workspaceAccess: "none" });
    expect(all(none, "-v")).toEqual([]);
    expect(opt(none, "-w")).toBe("/tmp");
    expect(args.some((a) => a === "--mount" || a.includes("docker.sock"))).toBe(false);
  });

  it("passes exactly the given env, HOME on the tmpfs", () => {
    expect(all(args, "-e")).toEqual(["PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/tmp", "TMPDIR=/tmp"]);
  });

  it("ends with the image and the command verbatim", () => {
    expect(args.slice(-4)).toEqual([DEFAULT_DOCKER_IMAGE, "/bin/sh", "-c", "echo hi"]);
  });

  it("rejects unsafe names, images and workspaces", () => {
    expect(() => dockerRunArgs({ ...base, name: "--privileged" })).toThrow();
    expect(() => dockerRunArgs({ ...base, image: "--privileged" })).toThrow();
    expect(() => dockerRunArgs({ ...base, workspace: "/" })).toThrow();
    expect(() => dockerRunArgs({ ...base, workspace: "/var/run/docker.sock:/x" })).toThrow();
    expect(() => dockerRunArgs({ ...base, workspace: "/a:b" })).toThrow();
  });
});

describe("docker helpers", () => {
  it("the CLI gets only engine-related env", () => {
    expect(dockerCliEnv({ PATH: "/p", DOCKER_HOST: "unix:///x", ANTHROPIC_API_KEY: "k", SIMPLECLAW_GATEWAY_TOKEN: "t" })).toEqual({
      PATH: "/p",
      DOCKER_HOST: "unix:///x",
    });
  });

  it("dockerAvailable reports a missing CLI or a silent engine instead of throwing", async () => {
    const missing = await dockerAvailable("/nonexistent/docker");
    expect(missing).toEqual({ ok: false, reason: "docker CLI is not installed" });
    // With no engine (as in CI) this is ok:false with a reason; with one, a version.
    const real = await dockerAvailable();
    if (real.ok) expect(real.version).toBeTruthy();
    else expect(real.reason).toMatch(/docker/);
  });

  it("sandboxCommand builds a docker run and a force-remove cleanup", () => {
    const c = sandboxCommand({ name: "docker", bin: "docker", image: "img:1" }, base, { containerName: "sbx-1" });
    expect(c.file).toBe("docker");
    expect(c.args[0]).toBe("run");
    expect(opt(c.args, "--name")).toBe("sbx-1");
    expect(c.args).toContain("img:1");
    expect(typeof c.cleanup).toBe("function");
  });

  it("explainSandbox describes the docker mounts", () => {
    const e = explainSandbox({
      sandbox: { mode: "all", required: true, backend: "docker", workspaceAccess: "rw", network: true },
      backend: { name: "docker", bin: "docker", image: DEFAULT_DOCKER_IMAGE },
      workspace: WS,
    });
    expect(e).toMatchObject({ backend: "docker", network: true, required: true });
    expect(e.mounts).toContainEqual({ path: WS, access: "rw" });
    expect(e.mounts).toContainEqual({ path: "/", access: "ro", source: `image ${DEFAULT_DOCKER_IMAGE}` });
  });
});

describe("dockerRunArgs: the owner's files in a sandbox of another session", () => {
  it("mounts them read-only over the workspace, MEMORY.md as /dev/null, memory/ as an empty read-only tmpfs", () => {
    const args = dockerRunArgs({ ...base, owner: { readOnly: [`${WS}/AGENTS.md`], hiddenFiles: [`${WS}/MEMORY.md`], hiddenDirs: [`${WS}/memory`] } });
    expect(all(args, "-v")).toEqual([`${WS}:${WS}`, `${WS}/AGENTS.md:${WS}/AGENTS.md:ro`, `/dev/null:${WS}/MEMORY.md:ro`]);
    expect(all(args, "--tmpfs")).toContain(`${WS}/memory:ro`);
    expect(() => dockerRunArgs({ ...base, owner: { readOnly: [`${WS}/a:b`], hiddenFiles: [], hiddenDirs: [] } })).toThrow(/not usable/);
  });
});
