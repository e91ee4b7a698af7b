import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureDir, sweepStaleTemps, writeFileAtomic } from "./atomic-fs.js";
import { spawnSync } from "node:child_process";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "simpleclaw-atomic-"));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

describe("writeFileAtomic", () => {
  it("writes string content with mode 600 by default", () => {
    const f = join(dir, "a.json");
    writeFileAtomic(f, '{"a":1}\n');
    expect(readFileSync(f, "utf8")).toBe('{"a":1}\n');
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it("writes bytes and honours an explicit mode regardless of umask", () => {
    const f = join(dir, "cert.pem");
    const old = process.umask(0o077);
    try {
      writeFileAtomic(f, new Uint8Array([0, 1, 2, 255]), 0o644);
    } finally {
      process.umask(old);
    }
    expect([...readFileSync(f)]).toEqual([0, 1, 2, 255]);
    expect(statSync(f).mode & 0o777).toBe(0o644);

    const g = join(dir, "secret.json");
    const old2 = process.umask(0);
    try {
      writeFileAtomic(g, "x");
    } finally {
      process.umask(old2);
    }
    expect(statSync(g).mode & 0o777).toBe(0o600);
  });

  it("writes empty and large content intact", () => {
    const e = join(dir, "empty");
    writeFileAtomic(e, "");
    expect(readFileSync(e, "utf8")).toBe("");
    const big = "x".repeat(5 * 1024 * 1024) + "é🔑";
    const b = join(dir, "big");
    writeFileAtomic(b, big);
    expect(readFileSync(b, "utf8")).toBe(big);
  });

  it("replaces an existing file (new inode via rename) and tightens its mode", () => {
    const f = join(dir, "c.json");
    writeFileSync(f, "old content that is longer than the new one", { mode: 0o644 });
    const before = statSync(f).ino;
    writeFileAtomic(f, "new");
    expect(readFileSync(f, "utf8")).toBe("new");
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(f).ino).not.toBe(before); // renamed over, never truncated in place
  });

  it("leaves no temp file behind", () => {
    const f = join(dir, "d.json");
    for (let i = 0; i < 5; i++) writeFileAtomic(f, `v${i}`);
    expect(readdirSync(dir)).toEqual(["d.json"]);
  });

  it("throws when the folder is missing and creates nothing", () => {
    const f = join(dir, "missing", "e.json");
    expect(() => writeFileAtomic(f, "x")).toThrow(/ENOENT/);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("throws when the target is a directory, leaving it and no temp file", () => {
    const target = join(dir, "taken");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "keep");
    expect(() => writeFileAtomic(target, "x")).toThrow();
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readFileSync(join(target, "keep"), "utf8")).toBe("keep");
    expect(readdirSync(dir)).toEqual(["taken"]);
  });

  it.skipIf(isRoot)("throws on a read-only folder and leaves the old file untouched", () => {
    const f = join(dir, "f.json");
    writeFileSync(f, "original", { mode: 0o600 });
    chmodSync(dir, 0o500);
    try {
      expect(() => writeFileAtomic(f, "replacement")).toThrow(/EACCES|EPERM/);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(f, "utf8")).toBe("original");
    expect(readdirSync(dir)).toEqual(["f.json"]);
  });

  it("does not follow a symlink at the target: the link is replaced, its target untouched", async () => {
    const { symlinkSync, lstatSync } = await import("node:fs");
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "victim");
    const link = join(dir, "config.json");
    symlinkSync(victim, link);
    writeFileAtomic(link, "new");
    expect(readFileSync(victim, "utf8")).toBe("victim");
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, "utf8")).toBe("new");
  });
});

describe("ensureDir", () => {
  it("creates nested folders with mode 700 by default", () => {
    const d = join(dir, "a", "b");
    const old = process.umask(0);
    try {
      ensureDir(d);
    } finally {
      process.umask(old);
    }
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o700);
  });

  it("is a no-op on an existing folder", () => {
    ensureDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

describe("sweepStaleTemps", () => {
  it("removes temp files of dead writers, keeps live writers' temps and everything else", () => {
    const d = mkdtempSync(join(tmpdir(), "sc-sweep-"));
    try {
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // exited by now
      writeFileSync(join(d, "simpleclaw.json"), "{}");
      writeFileSync(join(d, `.simpleclaw.json.${dead}.0123456789ab.tmp`), "{half");
      writeFileSync(join(d, `.simpleclaw.json.${process.pid}.0123456789ab.tmp`), "{in progress");
      writeFileSync(join(d, ".notes.tmp"), "user file");
      expect(sweepStaleTemps(d)).toEqual([`.simpleclaw.json.${dead}.0123456789ab.tmp`]);
      expect(readdirSync(d).sort()).toEqual([`.notes.tmp`, `.simpleclaw.json.${process.pid}.0123456789ab.tmp`, "simpleclaw.json"].sort());
      expect(sweepStaleTemps(join(d, "missing"))).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
