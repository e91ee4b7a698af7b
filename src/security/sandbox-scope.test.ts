import { describe, expect, it } from "vitest";
import { sandboxRequired } from "./sandbox-scope.js";
import { workspaceAccessProblem, workspaceConfinement } from "./sandbox-scope.js";

describe("sandboxRequired", () => {
  it("follows the mode", () => {
    expect(sandboxRequired("off", "agent:main:telegram:group:1")).toBe(false);
    expect(sandboxRequired("all", "agent:main:main")).toBe(true);
    expect(sandboxRequired("non-main", "agent:main:main")).toBe(false);
    expect(sandboxRequired("non-main", "agent:main:direct:42")).toBe(true);
  });
  it("treats a malformed or look-alike key as non-main (fails closed)", () => {
    expect(sandboxRequired("non-main", "agent:main:main:")).toBe(true);
    expect(sandboxRequired("non-main", "agent:main:main:x")).toBe(true);
    expect(sandboxRequired("non-main", "garbage")).toBe(true);
  });
});

describe("what a sandboxed session's tools may touch", () => {
  const base = { mode: "non-main" as const, backend: "auto" as const, network: false };
  const host = { ...base, required: false, workspaceAccess: "rw" as const };
  const boxed = (workspaceAccess: "rw" | "ro" | "none") => ({ ...base, required: true, workspaceAccess });
  const setting = { workspaceOnly: false, setting: "tools.fs.workspaceOnly" };

  it("confines a sandboxed session to its workspace whatever the setting says; the host follows the setting", () => {
    expect(workspaceConfinement(boxed("rw"), setting)).toEqual({ workspaceOnly: true, setting: "the session's sandbox" });
    expect(workspaceConfinement(host, setting)).toEqual(setting);
    expect(workspaceConfinement(host, { ...setting, workspaceOnly: true }).workspaceOnly).toBe(true);
  });

  it("gives tools exactly the sandbox's workspace access", () => {
    expect(workspaceAccessProblem(boxed("none"), false, "read")).toMatch(/workspaceAccess "none"/);
    expect(workspaceAccessProblem(boxed("ro"), true, "write")).toMatch(/read-only/);
    expect(workspaceAccessProblem(boxed("ro"), false, "read")).toBeUndefined();
    expect(workspaceAccessProblem(boxed("rw"), true, "write")).toBeUndefined();
    expect(workspaceAccessProblem({ ...host, workspaceAccess: "none" }, true, "write")).toBeUndefined();
  });
});
