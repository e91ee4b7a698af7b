// Reading a skill's files while the agent may be swapping them (its workspace skills): a path
// that lstat saw as a file but is a FIFO by the time it is opened must not block the gateway.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as realFs from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

// lstat answers "a small regular file" for swapped.md and swapped-skill/SKILL.md: what it saw
// an instant before the agent's `mv` put a FIFO there.
vi.mock("node:fs", async (orig) => {
  const fs = await orig<typeof import("node:fs")>();
  const lie = (p: unknown) => typeof p === "string" && /[/\\](?:swapped\.md|swapped-skill[/\\]SKILL\.md)$/.test(p);
  return {
    ...fs,
    lstatSync: ((p: string, o?: unknown) => {
      const st = fs.lstatSync(p, o as never);
      if (!st || !lie(p)) return st;
      return Object.assign(Object.create(Object.getPrototypeOf(st)), st, { isFile: () => true, isFIFO: () => false, isDirectory: () => false, isSymbolicLink: () => false, size: 10 });
    }) as typeof fs.lstatSync,
  };
});

const { readSkillFiles, hashSkillDir, MAX_SKILL_ENTRIES } = await import("./files.js");
const { loadSkills } = await import("./loader.js");
const { configSchema } = await import("../config/schema.js");

let base: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "sc-skill-files-")));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

it("attack: a FIFO swapped in after the lstat is skipped, not read (a blocking read would hang the gateway); the real files are read", () => {
  const dir = join(base, "skill");
  mkdirSync(dir);
  writeFileSync(join(dir, "SKILL.md"), "---\nname: skill\ndescription: d\n---\nok\n");
  execFileSync("mkfifo", [join(dir, "swapped.md")]);
  expect(realFs.lstatSync(join(dir, "swapped.md")).isFile()).toBe(true); // the mock lies, like the race
  const r = readSkillFiles(dir);
  expect(r.files.map((f) => f.path)).toEqual(["SKILL.md"]);
  expect(r.skipped).toEqual(["swapped.md (not a regular file)"]);
  expect(() => hashSkillDir(dir)).toThrow(/not a regular file/);
});

it("attack: a SKILL.md swapped for a FIFO after the loader's lstat makes the skill invalid instead of hanging the run", () => {
  const ws = join(base, "ws");
  mkdirSync(join(ws, "skills", "swapped-skill"), { recursive: true });
  // the loader lstats <dir>/SKILL.md: make the folder's SKILL.md the FIFO and have lstat lie for it
  execFileSync("mkfifo", [join(ws, "skills", "swapped-skill", "SKILL.md")]);
  const env = { SIMPLECLAW_STATE_DIR: join(base, "state"), PATH: "" };
  const { skills } = loadSkills({ config: configSchema.parse({}), workspace: ws, env, platform: "linux" });
  expect(skills.find((s) => s.name === "swapped-skill")).toMatchObject({ status: "invalid" });
});

it("attack: a skill of ten thousand empty folders is not walked whole on every skills.list (the scan budget counts bytes, not folders)", () => {
  const dir = join(base, "deep");
  mkdirSync(dir);
  writeFileSync(join(dir, "SKILL.md"), "---\nname: deep\ndescription: d\n---\nok\n");
  for (let i = 0; i < 11; i++) for (let j = 0; j < 10; j++) mkdirSync(join(dir, `d${i}`, `e${j}`), { recursive: true });
  // the real cap is MAX_SKILL_ENTRIES (10000); 100 here keeps the test fast
  const r = readSkillFiles(dir, 100);
  expect(r.files.map((f) => f.path)).toEqual(["SKILL.md"]);
  expect(r.unscannedText).toEqual(["the skill has more than 100 files and folders; the rest were not read"]);
  expect(MAX_SKILL_ENTRIES).toBe(10000);
  // control: a skill with a few folders is read whole
  const small = join(base, "small");
  mkdirSync(join(small, "scripts"), { recursive: true });
  writeFileSync(join(small, "SKILL.md"), "---\nname: small\ndescription: d\n---\nok\n");
  writeFileSync(join(small, "scripts", "run.sh"), "echo hi\n");
  expect(readSkillFiles(small, 100)).toEqual({ files: [expect.objectContaining({ path: "SKILL.md" }), expect.objectContaining({ path: "scripts/run.sh" })], skipped: [], unscannedText: [] });
});
