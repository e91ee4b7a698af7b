import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, parseManifest, readManifest, resolveEntry } from "./manifest.js";

describe("manifest", () => {
  it("accepts a valid manifest and names the bad key otherwise", () => {
    expect(parseManifest(JSON.stringify({ id: "dice", name: "Dice", version: "1.0.0", entry: "index.mjs" }), "m")).toMatchObject({ ok: true });
    expect(parseManifest(JSON.stringify({ id: "Dice!", name: "Dice", version: "1.0.0", entry: "index.mjs" }), "m")).toMatchObject({ ok: false, error: expect.stringMatching(/^m: id /) });
    expect(parseManifest(JSON.stringify({ id: "dice", name: "Dice", version: "one", entry: "index.mjs" }), "m")).toMatchObject({ ok: false, error: expect.stringMatching(/version/) });
    expect(parseManifest("{nope", "m")).toMatchObject({ ok: false, error: "m is not valid JSON." });
  });
});

describe("entry containment (attacks)", () => {
  const root = mkdtempSync(join(tmpdir(), "sc-plugin-"));
  const dir = join(root, "p");
  mkdirSync(join(dir, "lib"), { recursive: true });
  writeFileSync(join(dir, "index.mjs"), "export function register() {}");
  writeFileSync(join(dir, "lib", "x.mjs"), "");
  writeFileSync(join(root, "outside.mjs"), "");
  symlinkSync(join(root, "outside.mjs"), join(dir, "link.mjs"));
  symlinkSync(root, join(dir, "up"));

  it("resolves files inside the folder", () => {
    expect(resolveEntry(dir, "index.mjs")).toMatchObject({ ok: true });
    expect(resolveEntry(dir, "./lib/../lib/x.mjs")).toMatchObject({ ok: true });
  });

  it("refuses .., absolute paths and symlinks out", () => {
    expect(resolveEntry(dir, "../outside.mjs")).toMatchObject({ ok: false, error: expect.stringMatching(/escapes/) });
    expect(resolveEntry(dir, "lib/../../outside.mjs")).toMatchObject({ ok: false });
    expect(resolveEntry(dir, join(root, "outside.mjs"))).toMatchObject({ ok: false, error: expect.stringMatching(/absolute/) });
    expect(resolveEntry(dir, "link.mjs")).toMatchObject({ ok: false, error: expect.stringMatching(/symlink/) });
    expect(resolveEntry(dir, "up/outside.mjs")).toMatchObject({ ok: false, error: expect.stringMatching(/symlink/) });
  });

  it("a missing entry is an error, not a crash", () => {
    expect(resolveEntry(dir, "nope.mjs")).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
  });
});

describe("reading a hostile folder's manifest (attacks)", () => {
  const root = mkdtempSync(join(tmpdir(), "sc-manifest-"));
  const folder = (name: string) => {
    const d = join(root, name);
    mkdirSync(d);
    return d;
  };

  it("a regular manifest is read (positive control)", () => {
    const d = folder("ok");
    writeFileSync(join(d, MANIFEST_FILE), JSON.stringify({ id: "dice", name: "Dice", version: "1.0.0", entry: "index.mjs" }));
    expect(readManifest(d)).toMatchObject({ ok: true, manifest: { id: "dice" } });
  });

  it("a FIFO as the manifest is refused instead of hanging discovery and install", () => {
    const d = folder("fifo");
    execFileSync("mkfifo", [join(d, MANIFEST_FILE)]);
    expect(readManifest(d)).toEqual({ ok: false, error: `${join(d, MANIFEST_FILE)} is not a regular file.` });
  });

  it("a link to /dev/zero and a huge manifest are refused unread", () => {
    const d = folder("zero");
    symlinkSync("/dev/zero", join(d, MANIFEST_FILE));
    expect(readManifest(d)).toMatchObject({ ok: false, error: expect.stringMatching(/not a regular file/) });
    const h = folder("huge");
    writeFileSync(join(h, MANIFEST_FILE), "");
    truncateSync(join(h, MANIFEST_FILE), MAX_MANIFEST_BYTES + 1);
    expect(readManifest(h)).toMatchObject({ ok: false, error: expect.stringMatching(/larger than/) });
  });

  it("an entry that is a FIFO is refused before import() could block on it", () => {
    const d = folder("fifo-entry");
    execFileSync("mkfifo", [join(d, "index.mjs")]);
    expect(resolveEntry(d, "index.mjs")).toMatchObject({ ok: false, error: expect.stringMatching(/not a regular file/) });
  });
});
