// The owner's instruction and memory files against a non-main session (a guest's DM): every
// spelling of MEMORY.md, USER.md, memory/, skills/, … is refused for writing, the private ones
// for reading too; the owner's main session, and ordinary files, are controls.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extraNotesReason, isMainSession, OWNER_ENTRIES, ownerEntry, ownerFileReason, ownerTargetReason } from "./owner-files.js";
import { resolveToolPath } from "./fs-containment.js";
import { senderSessionKey, mainSessionKey, cronSessionKey, heartbeatSessionKey, groupSessionKey } from "./session-scope.js";

const ROOT = "/ws";
const MAIN = mainSessionKey("main");
const GUEST = senderSessionKey("main", "telegram", "12345");

describe("ownerEntry / ownerFileReason (pure)", () => {
  it("only the main session is main; guests, groups, cron, heartbeat and unparseable keys are not", () => {
    expect(isMainSession(MAIN)).toBe(true);
    for (const k of [GUEST, groupSessionKey("main", "slack", "g"), cronSessionKey("main", "j"), heartbeatSessionKey("main"), "test", "agent:main:main:x"]) {
      expect(isMainSession(k)).toBe(false);
    }
  });

  const privateSpellings = ["MEMORY.md", "./MEMORY.md", "memory/../MEMORY.md", "MEMORY.md/", "/ws/MEMORY.md", "/ws/./sub/../MEMORY.md", "USER.md", "memory", "memory/", "memory/2026-01-01.md", "memory/a/b/c.md", "/ws/memory/x.md"];
  it.each(privateSpellings)("a guest may neither read nor write %s", (p) => {
    expect(ownerFileReason(GUEST, ROOT, "read", p)).toMatch(/only the owner's main session may read/);
    expect(ownerFileReason(GUEST, ROOT, "write", p)).toMatch(/only the owner's main session may change/);
  });

  const ruleSpellings = ["AGENTS.md", "./SOUL.md", "HEARTBEAT.md", "skills/x/SKILL.md", "skills", "/ws/skills/new/run.sh", "sub/../AGENTS.md"];
  it.each(ruleSpellings)("a guest may read but not write %s", (p) => {
    expect(ownerFileReason(GUEST, ROOT, "read", p)).toBeNull();
    expect(ownerFileReason(GUEST, ROOT, "write", p)).toMatch(/^\S+ is one of the owner's instruction and memory files, which only the owner's main session may change/);
  });

  it("the main session may read and write every owner file (control)", () => {
    for (const p of [...privateSpellings, ...ruleSpellings]) {
      expect(ownerFileReason(MAIN, ROOT, "read", p)).toBeNull();
      expect(ownerFileReason(MAIN, ROOT, "write", p)).toBeNull();
    }
  });

  it("ordinary workspace files, and paths outside the workspace, are no owner files (control)", () => {
    for (const p of ["notes.md", "sub/MEMORY.md", "docs/memory/x.md", "MEMORY.md.bak", "memory.txt", "memoryx/a.md", ".", "/ws", "/elsewhere/MEMORY.md", "../MEMORY.md"]) {
      expect(ownerEntry(ROOT, p), p).toBeUndefined();
      expect(ownerFileReason(GUEST, ROOT, "write", p)).toBeNull();
    }
  });

  it("matches case-insensitively (case-insensitive filesystems)", () => {
    expect(ownerEntry(ROOT, "Memory.md")?.name).toBe("MEMORY.md");
    expect(ownerEntry(ROOT, "SKILLS/a")?.name).toBe("skills/");
  });

  it("matches as a case-insensitive filesystem folds names, not just as toLowerCase does (APFS folds U+017F LONG S to s and U+212A KELVIN SIGN to k: uſer.md opens USER.md there)", () => {
    expect(ownerEntry(ROOT, "U\u017fER.md")?.name).toBe("USER.md");
    expect(ownerEntry(ROOT, "\u017fkills/evil/SKILL.md")?.name).toBe("skills/");
    expect(ownerEntry(ROOT, "s\u212aills/x")?.name).toBe("skills/");
    expect(ownerEntry(ROOT, "\uff2d\uff25\uff2d\uff2f\uff32\uff39.md")?.name).toBe("MEMORY.md"); // fullwidth letters
    expect(ownerFileReason(GUEST, ROOT, "read", "/ws/U\u017fER.md")).toMatch(/USER\.md holds the owner's private notes/);
    // Controls: other names stay ordinary.
    expect(ownerEntry(ROOT, "users.md")).toBeUndefined();
    expect(ownerEntry(ROOT, "memory-notes/x.md")).toBeUndefined();
  });

  it("any one of the spellings given decides (real path or the path as given)", () => {
    expect(ownerFileReason(GUEST, ROOT, "read", "/ws/notes.md", "/ws/MEMORY.md")).not.toBeNull();
  });

  it("memory.extraPaths are private to the main session", () => {
    expect(extraNotesReason(GUEST, ["/ws/notes", "/elsewhere/n.md"], "/ws/notes/a.md")).toMatch(/memory\.extraPaths/);
    expect(extraNotesReason(GUEST, ["/ws/notes"], "/ws/notes")).not.toBeNull();
    expect(extraNotesReason(GUEST, ["/ws/notes"], "/ws/notes2/a.md")).toBeNull();
    expect(extraNotesReason(MAIN, ["/ws/notes"], "/ws/notes/a.md")).toBeNull();
  });

  it("lists the prompt files, HEARTBEAT.md, memory/ and skills/", () => {
    expect(OWNER_ENTRIES.map((e) => e.name)).toEqual(["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md", "memory/", "skills/"]);
    expect(OWNER_ENTRIES.filter((e) => e.private).map((e) => e.name)).toEqual(["USER.md", "MEMORY.md", "memory/"]);
  });
});

describe("resolveToolPath with a session: the owner's files on a real filesystem", () => {
  let base: string;
  let ws: string;
  beforeEach(() => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), "sc-owner-")));
    ws = path.join(base, "ws");
    mkdirSync(path.join(ws, "memory"), { recursive: true });
    writeFileSync(path.join(ws, "MEMORY.md"), "owner secret\n");
    writeFileSync(path.join(ws, "memory", "day.md"), "owner day\n");
    writeFileSync(path.join(ws, "AGENTS.md"), "rules\n");
    writeFileSync(path.join(ws, "notes.md"), "ordinary\n");
    symlinkSync("MEMORY.md", path.join(ws, "innocent.md"));
    symlinkSync("memory", path.join(ws, "diary"));
    symlinkSync(path.join(ws, "notes.md"), path.join(ws, "notes-link.md"));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const decide = (p: string, sessionKey: string, forWrite: boolean) => resolveToolPath(p, ws, { workspaceOnly: true, forWrite, sessionKey });

  it("a guest cannot reach MEMORY.md or memory/ through a symbolic link", async () => {
    for (const p of ["innocent.md", "diary/day.md", "diary", "diary/new.md"]) {
      const d = await decide(p, GUEST, false);
      expect(d.ok, p).toBe(false);
      if (!d.ok) expect(d.reason).toMatch(/is not readable here: (MEMORY\.md|memory\/) holds the owner's private notes/);
    }
    const w = await decide("diary/new.md", GUEST, true);
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.reason).toMatch(/is not writable here: memory\/ is one of the owner's instruction and memory files/);
  });

  it("a guest cannot write AGENTS.md or create skills/ or HEARTBEAT.md that do not exist yet", async () => {
    for (const p of ["AGENTS.md", "skills/evil/SKILL.md", "HEARTBEAT.md", `${ws}/SOUL.md`]) {
      expect((await decide(p, GUEST, true)).ok, p).toBe(false);
    }
    expect((await decide("AGENTS.md", GUEST, false)).ok).toBe(true);
  });

  it("controls: the main session reads and writes them; a guest reads and writes ordinary files, also through a link", async () => {
    for (const p of ["MEMORY.md", "innocent.md", "diary/day.md", "AGENTS.md", "skills/x/SKILL.md"]) expect((await decide(p, MAIN, false)).ok, p).toBe(true);
    for (const p of ["MEMORY.md", "diary/day.md", "AGENTS.md", "skills/x/SKILL.md", "HEARTBEAT.md"]) expect((await decide(p, MAIN, true)).ok, p).toBe(true);
    for (const p of ["notes.md", "notes-link.md", "new/file.md", "AGENTS.md"]) expect((await decide(p, GUEST, false)).ok, p).toBe(true);
    for (const p of ["notes.md", "new/file.md"]) expect((await decide(p, GUEST, true)).ok, p).toBe(true);
  });

  it("without a session key no owner-file rule applies (e.g. the browser's screenshots)", async () => {
    expect((await resolveToolPath("MEMORY.md", ws, { workspaceOnly: true, forWrite: true })).ok).toBe(true);
  });
});

describe("ownerTargetReason (owner entries kept as symbolic links)", () => {
  const memory = OWNER_ENTRIES.find((e) => e.name === "memory/")!;
  const agents = OWNER_ENTRIES.find((e) => e.name === "AGENTS.md")!;
  const targets = [
    { entry: memory, real: "/ws/vault" },
    { entry: agents, real: "/ws/rules/AGENTS.md" },
  ];
  const guest = "agent:main:telegram:direct:1";
  it("the target is the owner's under its own name: private to read, owner-only to write", () => {
    expect(ownerTargetReason(guest, "read", targets, "/ws/vault/2026.md")).toMatch(/memory\/ holds the owner's private notes/);
    expect(ownerTargetReason(guest, "write", targets, "/ws/rules/AGENTS.md")).toMatch(/AGENTS\.md is one of the owner's/);
  });
  it("controls: siblings, a readable target, and the main session are unaffected", () => {
    expect(ownerTargetReason(guest, "read", targets, "/ws/vault2/x.md")).toBeNull();
    expect(ownerTargetReason(guest, "read", targets, "/ws/rules/AGENTS.md")).toBeNull();
    expect(ownerTargetReason("agent:main:main", "write", targets, "/ws/vault/x.md")).toBeNull();
  });
});
