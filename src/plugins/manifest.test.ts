import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifest, resolveEntry } from "./manifest.js";

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
