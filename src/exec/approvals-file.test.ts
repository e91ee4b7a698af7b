import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addEntry, agentAllowlist, ApprovalsFileError, approvalsPath, loadApprovals, removeEntry } from "./approvals-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sc-approvals-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("exec-approvals.json edits hold its lock", () => {
  it("while another live process holds the lock, a removal waits, then refuses and changes nothing", () => {
    const e = addEntry(dir, "main", { pattern: "/usr/bin/ls", source: "manual" });
    writeFileSync(`${approvalsPath(dir)}.lock`, `${process.pid}\n`);
    let err: unknown;
    try {
      removeEntry(dir, e.id);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(ApprovalsFileError);
    expect((err as Error).message).toMatch(/being written by another process/);
    expect(agentAllowlist(loadApprovals(dir), "main").map((x) => x.id)).toEqual([e.id]);
  }, 20_000);

  it("positive control: add and remove work and leave no lock behind; a lock of a dead process is taken over", () => {
    const a = addEntry(dir, "main", { pattern: "/usr/bin/ls", source: "manual" });
    writeFileSync(`${approvalsPath(dir)}.lock`, "999999999\n");
    const b = addEntry(dir, "main", { pattern: "/usr/bin/git", args: ["status"], source: "allow-always" });
    expect(removeEntry(dir, a.id)?.pattern).toBe("/usr/bin/ls");
    expect(agentAllowlist(loadApprovals(dir), "main").map((x) => x.id)).toEqual([b.id]);
    expect(readdirSync(dir)).toEqual(["exec-approvals.json"]);
  });
});

describe("an exec-approvals.json that cannot be reached", () => {
  it("a state dir path through a regular file: refused (exec stays denied), not an empty allowlist", () => {
    writeFileSync(join(dir, "file"), "");
    expect(() => loadApprovals(join(dir, "file", "state"))).toThrow(/cannot read .*exec-approvals\.json \(ENOTDIR.*exec stays denied/);
  });

  it("positive control: no file yet is the empty allowlist", () => {
    expect(loadApprovals(join(dir, "fresh"))).toEqual({ version: 1, defaults: {}, agents: {} });
  });
});
