// Reading an OpenClaw state dir that may be hostile (docs/migrating-from-openclaw.md): only
// regular, bounded files are read; FIFOs, devices, links and hard links never hang the
// import, exhaust its memory or carry another file's bytes into the SimpleClaw workspace.
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../infra/errors.js";
import { listWorkspaceFiles, MAX_CONFIG_BYTES, readOpenClaw, readWorkspaceFile } from "./openclaw-source.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(config = '{ gateway: { port: 18789 } }'): { root: string; oc: string } {
  const root = mkdtempSync(join(tmpdir(), "oc-src-"));
  dirs.push(root);
  const oc = join(root, ".openclaw");
  mkdirSync(oc);
  writeFileSync(join(oc, "openclaw.json"), config);
  return { root, oc };
}
const mkfifo = (p: string) => execFileSync("mkfifo", [p]);
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("not refused");
};

describe("readOpenClaw: the config and the state database", () => {
  it("reads a regular config, also through a symlink (positive control)", () => {
    const { root, oc } = stateDir();
    expect(readOpenClaw({ from: oc }).config).toEqual({ gateway: { port: 18789 } });
    writeFileSync(join(root, "real.json"), "{ logging: { level: 'debug' } }");
    unlinkSync(join(oc, "openclaw.json"));
    symlinkSync(join(root, "real.json"), join(oc, "openclaw.json"));
    expect(readOpenClaw({ from: oc }).config).toEqual({ logging: { level: "debug" } });
  });

  it("a FIFO as openclaw.json is refused instead of hanging the import", () => {
    const { oc } = stateDir();
    unlinkSync(join(oc, "openclaw.json"));
    mkfifo(join(oc, "openclaw.json"));
    expect(refusal(() => readOpenClaw({ from: oc }))).toMatch(/is not a regular file/);
  });

  it("a link to /dev/zero is refused instead of reading forever", () => {
    const { oc } = stateDir();
    unlinkSync(join(oc, "openclaw.json"));
    symlinkSync("/dev/zero", join(oc, "openclaw.json"));
    expect(refusal(() => readOpenClaw({ from: oc }))).toMatch(/is not a regular file/);
  });

  it("a config larger than any OpenClaw config is refused unread", () => {
    const { oc } = stateDir();
    truncateSync(join(oc, "openclaw.json"), MAX_CONFIG_BYTES + 1);
    expect(refusal(() => readOpenClaw({ from: oc }))).toMatch(/more than an OpenClaw config can be/);
  });

  it.each(["openclaw.sqlite", "openclaw.sqlite-wal"])("a FIFO as state/%s is reported instead of hanging SQLite", (name) => {
    const { oc } = stateDir();
    mkdirSync(join(oc, "state"));
    if (name !== "openclaw.sqlite") writeFileSync(join(oc, "state", "openclaw.sqlite"), "");
    mkfifo(join(oc, "state", name));
    const src = readOpenClaw({ from: oc });
    expect(src.dbProblem).toMatch(/is not a regular file/);
    expect(src.approved).toBeUndefined();
  });
});

describe("workspace files", () => {
  function workspace(): string {
    const { root } = stateDir();
    const ws = join(root, "ws");
    mkdirSync(join(ws, "memory"), { recursive: true });
    writeFileSync(join(ws, "MEMORY.md"), "# memory\n");
    writeFileSync(join(ws, "memory", "2026-11-28.md"), "a note\n");
    return ws;
  }
  const reasons = (ws: string) => Object.fromEntries(listWorkspaceFiles(ws).skipped.map((s) => [s.rel, s.reason]));

  it("regular notes are listed and read (positive control)", () => {
    const ws = workspace();
    const { files, skipped } = listWorkspaceFiles(ws);
    expect(files.map((f) => f.rel)).toEqual(["MEMORY.md", "memory/2026-11-28.md"]);
    expect(skipped).toEqual([]);
    expect(readWorkspaceFile(files[1]!).toString()).toBe("a note\n");
  });

  it("a hard link to another of the owner's files is not copied", () => {
    const ws = workspace();
    const secret = join(ws, "..", "id_ed25519");
    writeFileSync(secret, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    linkSync(secret, join(ws, "memory", "notes.md"));
    expect(listWorkspaceFiles(ws).files.map((f) => f.rel)).not.toContain("memory/notes.md");
    expect(reasons(ws)["memory/notes.md"]).toMatch(/hard link/);
  });

  it("a FIFO, a huge file and a linked memory/ folder are not copied", () => {
    const ws = workspace();
    mkfifo(join(ws, "memory", "fifo.md"));
    truncateSync(join(ws, "MEMORY.md"), 5 * 1024 * 1024);
    rmSync(join(ws, "memory"), { recursive: true });
    symlinkSync(join(ws, ".."), join(ws, "memory"));
    const r = reasons(ws);
    expect(r["MEMORY.md"]).toMatch(/larger than/);
    expect(r.memory).toMatch(/symlink/);
    expect(listWorkspaceFiles(ws).files).toEqual([]);
  });

  it("a file swapped after the listing (for a link, or a hard link) is refused at the read", () => {
    const ws = workspace();
    const [f] = listWorkspaceFiles(ws).files;
    const secret = join(ws, "..", "secret");
    writeFileSync(secret, "secret\n");
    unlinkSync(join(ws, "MEMORY.md"));
    symlinkSync(secret, join(ws, "MEMORY.md"));
    expect(refusal(() => readWorkspaceFile(f!))).toMatch(/symbolic link.*nothing was written/);
    unlinkSync(join(ws, "MEMORY.md"));
    linkSync(secret, join(ws, "MEMORY.md"));
    expect(refusal(() => readWorkspaceFile(f!))).toMatch(/hard link.*nothing was written/);
  });
});
