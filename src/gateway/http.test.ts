import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveStaticPath } from "./http.js";

let base: string;
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "simpleclaw-http-")));
  root = join(base, "ui");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html>");
  writeFileSync(join(root, "assets", "app.js"), "console.log(1)");
  writeFileSync(join(root, "a b.css"), "body{}");
  // A sibling folder whose name starts with the root's name.
  mkdirSync(join(base, "ui-secret"));
  writeFileSync(join(base, "ui-secret", "token.txt"), "secret");
  writeFileSync(join(base, "outside.txt"), "secret");
  // Symlinks that escape the root.
  symlinkSync("/etc", join(root, "etc-link"));
  symlinkSync(join(base, "outside.txt"), join(root, "outside-link.txt"));
  symlinkSync(base, join(root, "assets", "up"));
  // A symlink that stays inside the root is fine.
  symlinkSync(join(root, "assets", "app.js"), join(root, "app-alias.js"));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe("resolveStaticPath", () => {
  it("maps / to index.html", () => {
    expect(resolveStaticPath(root, "/")).toBe(join(root, "index.html"));
  });

  it("maps ordinary asset paths inside the root", () => {
    expect(resolveStaticPath(root, "/index.html")).toBe(join(root, "index.html"));
    expect(resolveStaticPath(root, "/assets/app.js")).toBe(join(root, "assets", "app.js"));
    expect(resolveStaticPath(root, "/a%20b.css")).toBe(join(root, "a b.css"));
  });

  it("accepts a root given with a trailing separator", () => {
    expect(resolveStaticPath(root + sep, "/assets/app.js")).toBe(join(root, "assets", "app.js"));
  });

  it("keeps `..` that stays inside the root inside it", () => {
    expect(resolveStaticPath(root, "/assets/../index.html")).toBe(join(root, "index.html"));
  });

  // `..` above the root is clamped to the root (like a browser does) or refused; either way
  // nothing outside the root is ever returned, and these names do not exist inside it.
  it("refuses `..` escapes", () => {
    for (const p of ["/../outside.txt", "/../../../../etc/passwd", "/assets/../../outside.txt", "/..", "/../ui-secret/token.txt"]) {
      expect(resolveStaticPath(root, p), p).toBeNull();
    }
  });

  it("never returns a path outside the root for `..` escapes", () => {
    writeFileSync(join(root, "outside.txt"), "a decoy inside the root");
    try {
      for (const p of ["/../outside.txt", "/%2e%2e/outside.txt", "/assets/../../outside.txt"]) {
        expect(resolveStaticPath(root, p), p).toBe(join(root, "outside.txt"));
      }
    } finally {
      rmSync(join(root, "outside.txt"));
    }
  });

  it("returns null for files that do not exist", () => {
    expect(resolveStaticPath(root, "/missing.js")).toBeNull();
  });

  it("refuses percent-encoded `..` escapes", () => {
    for (const p of [
      "/%2e%2e/outside.txt",
      "/%2E%2E/%2E%2E/etc/passwd",
      "/.%2e/outside.txt",
      "/%2e%2e%2foutside.txt",
      "/assets%2f..%2f..%2foutside.txt",
      "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ]) {
      expect(resolveStaticPath(root, p), p).toBeNull();
    }
  });

  it("does not double-decode (%252e%252e stays a literal name)", () => {
    const r = resolveStaticPath(root, "/%252e%252e/outside.txt");
    if (r !== null) expect(r.startsWith(root + sep)).toBe(true);
  });

  it("refuses backslashes (encoded or not)", () => {
    for (const p of ["/..\\outside.txt", "/%5c..%5coutside.txt", "/assets\\..\\..\\outside.txt"]) {
      expect(resolveStaticPath(root, p), p).toBeNull();
    }
  });

  it("treats absolute paths as relative to the root, never as host paths", () => {
    for (const p of ["//etc/passwd", "/%2fetc%2fpasswd", "///etc/passwd"]) {
      const r = resolveStaticPath(root, p);
      if (r !== null) expect(r.startsWith(root + sep), p).toBe(true);
    }
    expect(resolveStaticPath(root, `/${base}/outside.txt`)).not.toBe(join(base, "outside.txt"));
  });

  it("refuses NUL bytes", () => {
    expect(resolveStaticPath(root, "/index.html%00.js")).toBeNull();
    expect(resolveStaticPath(root, "/index.html\0.js")).toBeNull();
  });

  it("refuses malformed percent-encoding", () => {
    expect(resolveStaticPath(root, "/%E0%A4%A")).toBeNull();
    expect(resolveStaticPath(root, "/%")).toBeNull();
  });

  it("refuses symlinks that escape the root", () => {
    for (const p of ["/etc-link/passwd", "/etc-link/hostname", "/etc-link", "/outside-link.txt", "/assets/up/outside.txt", "/assets/up/ui-secret/token.txt"]) {
      expect(resolveStaticPath(root, p), p).toBeNull();
    }
  });

  it("allows a symlink that points inside the root", () => {
    expect(resolveStaticPath(root, "/app-alias.js")).toBe(join(root, "assets", "app.js"));
  });

  it("works when the root itself is reached through a symlink", () => {
    const linkedRoot = join(base, "ui-linked");
    symlinkSync(root, linkedRoot);
    expect(resolveStaticPath(linkedRoot, "/assets/app.js")).toBe(join(root, "assets", "app.js"));
    expect(resolveStaticPath(linkedRoot, "/etc-link/passwd")).toBeNull();
  });
});
