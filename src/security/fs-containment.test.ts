// Attacks on the filesystem containment decision and its fd-level re-checks, in a real
// temp dir: ../, absolute paths, ~, symlinks (dir, file, final component, dangling, loop),
// hard links, Unicode look-alike separators, bidi/zero-width characters, NUL, and a path
// swapped for a symlink between the check and the use.
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkPathText,
  isInside,
  listContained,
  openForRead,
  openVerifiedSync,
  openForWrite,
  protectedWriteReason,
  readContained,
  removeContained,
  resolveToolPath,
  writeContained,
  type PathDecision,
  type Scope,
} from "./fs-containment.js";
import { ToolError } from "../infra/errors.js";

let base: string;
let ws: string;
let out: string;
const savedHome = process.env.HOME;

beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), "sc-guard-")));
  ws = path.join(base, "ws");
  out = path.join(base, "outside");
  mkdirSync(path.join(ws, "sub"), { recursive: true });
  mkdirSync(out);
  writeFileSync(path.join(out, "secret.txt"), "SECRET\n");
  writeFileSync(path.join(out, "inner.txt"), "OUTSIDE INNER\n");
  writeFileSync(path.join(ws, "ok.txt"), "hello\n");
  writeFileSync(path.join(ws, "sub", "inner.txt"), "inside inner\n");
  symlinkSync("/etc", path.join(ws, "link-etc"));
  symlinkSync(out, path.join(ws, "link-out"));
  symlinkSync(path.join(out, "secret.txt"), path.join(ws, "secret-link"));
  symlinkSync(path.join(ws, "ok.txt"), path.join(ws, "inside-link"));
  symlinkSync(path.join(out, "nope"), path.join(ws, "dangling"));
  symlinkSync("loop-b", path.join(ws, "loop-a"));
  symlinkSync("loop-a", path.join(ws, "loop-b"));
  linkSync(path.join(out, "secret.txt"), path.join(ws, "hardlink.txt"));
});

afterEach(() => {
  process.env.HOME = savedHome;
  rmSync(base, { recursive: true, force: true });
});

const strict = { workspaceOnly: true, forWrite: false };
const strictW = { workspaceOnly: true, forWrite: true };
const loose = { workspaceOnly: false, forWrite: false };
const looseW = { workspaceOnly: false, forWrite: true };
const scope = (): Scope => ({ workspace: ws, workspaceOnly: true, setting: "tools.fs.workspaceOnly" });

function refused(d: PathDecision): string {
  expect(d.ok).toBe(false);
  return d.ok ? "" : d.reason;
}
function allowed(d: PathDecision): string {
  if (!d.ok) throw new Error(`expected allowed, got: ${d.reason}`);
  return d.path;
}
const outsideEntries = () => readdirSync(out).sort();

describe("pure checks", () => {
  it("isInside is prefix-safe", () => {
    expect(isInside("/ws", "/ws")).toBe(true);
    expect(isInside("/ws", "/ws/a")).toBe(true);
    expect(isInside("/ws", "/ws2/a")).toBe(false);
    expect(isInside("/ws", "/")).toBe(false);
    expect(isInside("/", "/etc")).toBe(true);
  });

  it("refuses NUL, control characters, look-alike separators and invisible characters", () => {
    expect(checkPathText("a\0b")).toMatch(/NUL/);
    expect(checkPathText("a\nb")).toMatch(/control character U\+000A/);
    expect(checkPathText("..\u2215etc")).toMatch(/U\+2215 DIVISION SLASH/);
    expect(checkPathText("..\u2044etc")).toMatch(/U\+2044 FRACTION SLASH/);
    expect(checkPathText("..\uff0fetc")).toMatch(/U\+FF0F FULLWIDTH SOLIDUS/);
    expect(checkPathText("..\u29f8etc")).toMatch(/U\+29F8 BIG SOLIDUS/);
    expect(checkPathText("evil\u202Etxt.exe")).toMatch(/U\+202E/);
    expect(checkPathText("\u200Bok.txt")).toMatch(/U\+200B/);
    expect(checkPathText("\uFEFFok.txt")).toMatch(/U\+FEFF/);
    expect(checkPathText("a\uD800b")).toMatch(/surrogate/);
    expect(checkPathText("")).toMatch(/empty/);
    expect(checkPathText("docs/café.md")).toBeUndefined();
  });

  it("protects git metadata at any depth, inside or outside the root, whatever its case", () => {
    for (const p of ["/ws/.git", "/ws/.git/config", "/ws/.git/hooks/pre-commit", "/ws/a/b/.git/config", "/ws/sub/.GIT/hooks/x", "/ws/x/../.git/config", "/home/me/repo/.git/hooks/post-merge"]) {
      expect(protectedWriteReason("/ws", p), p).toMatch(/git metadata/);
    }
    // Names that only look like it, and a root that itself lies under a .git directory.
    for (const p of ["/ws/.gitignore", "/ws/.github/workflows/ci.yml", "/ws/git/config", "/ws/.git-credentials-notes", "/ws/a.git", "/ws"]) {
      expect(protectedWriteReason("/ws", p), p).toBeNull();
    }
    expect(protectedWriteReason("/srv/.git/work/ws", "/srv/.git/work/ws/notes.txt")).toBeNull();
  });
});

describe("resolveToolPath", () => {
  it("resolves relative paths inside the workspace", async () => {
    expect(allowed(await resolveToolPath("ok.txt", ws, strict))).toBe(path.join(ws, "ok.txt"));
    expect(allowed(await resolveToolPath("./sub/../ok.txt", ws, strict))).toBe(path.join(ws, "ok.txt"));
    expect(allowed(await resolveToolPath(".", ws, strict))).toBe(ws);
    expect(allowed(await resolveToolPath(path.join(ws, "sub", "inner.txt"), ws, strict))).toBe(path.join(ws, "sub", "inner.txt"));
    const d = await resolveToolPath("new/deeper/file.txt", ws, strictW);
    expect(d).toEqual({ ok: true, path: path.join(ws, "new", "deeper", "file.txt"), exists: false });
  });

  it("refuses ../../etc/passwd with one clear sentence", async () => {
    const reason = refused(await resolveToolPath("../../etc/passwd", ws, strict));
    expect(reason).toBe(`path "../../etc/passwd" resolves outside the workspace (${ws}); tools.fs.workspaceOnly is on.`);
  });

  it("refuses absolute paths outside, and .. that climbs out through a subdir", async () => {
    refused(await resolveToolPath("/etc/passwd", ws, strict));
    refused(await resolveToolPath("/", ws, strict));
    refused(await resolveToolPath("sub/../../outside/secret.txt", ws, strict));
    refused(await resolveToolPath(path.join(out, "secret.txt"), ws, strict));
    // A sibling whose name merely starts with the workspace's name is outside.
    mkdirSync(ws + "2");
    refused(await resolveToolPath(ws + "2/x", ws, strictW));
  });

  it("expands ~ to the home directory and then checks it like any absolute path", async () => {
    expect(refused(await resolveToolPath("~/.ssh/id_rsa", ws, strict))).toMatch(/resolves outside the workspace/);
    refused(await resolveToolPath("~", ws, strict));
    expect(refused(await resolveToolPath("~root/.ssh/id_rsa", ws, strict))).toMatch(/~user syntax/);
    process.env.HOME = path.join(base, "home");
    mkdirSync(path.join(base, "home"));
    expect(allowed(await resolveToolPath("~/notes.txt", ws, loose))).toBe(path.join(base, "home", "notes.txt"));
    // A home inside the workspace is fine when workspaceOnly is on.
    process.env.HOME = ws;
    expect(allowed(await resolveToolPath("~/ok.txt", ws, strict))).toBe(path.join(ws, "ok.txt"));
  });

  it("refuses a symlink to /etc inside the workspace, for reads and writes", async () => {
    const r = refused(await resolveToolPath("link-etc/passwd", ws, strict));
    expect(r).toMatch(/resolves outside the workspace .* through a symbolic link; tools\.fs\.workspaceOnly is on\./);
    refused(await resolveToolPath("link-etc/simpleclaw-new-file", ws, strictW));
    refused(await resolveToolPath("link-etc", ws, strict));
  });

  it("refuses a symlinked directory to outside for a file that does not exist yet", async () => {
    refused(await resolveToolPath("link-out/newfile", ws, strictW));
    refused(await resolveToolPath("link-out/new/dir/file", ws, strictW));
  });

  it("refuses a symlink to a file outside", async () => {
    refused(await resolveToolPath("secret-link", ws, strict));
    refused(await resolveToolPath("secret-link", ws, strictW));
  });

  it("follows a symlink pointing inside for reads but never for writes", async () => {
    expect(allowed(await resolveToolPath("inside-link", ws, strict))).toBe(path.join(ws, "ok.txt"));
    expect(refused(await resolveToolPath("inside-link", ws, strictW))).toMatch(/is a symbolic link, and writes never follow a final symbolic link/);
    // ...even with workspaceOnly off.
    refused(await resolveToolPath("inside-link", ws, looseW));
    refused(await resolveToolPath("secret-link", ws, looseW));
  });

  it("refuses dangling symlinks and symlink loops", async () => {
    expect(refused(await resolveToolPath("dangling", ws, strictW))).toMatch(/dangling or looping symbolic link/);
    refused(await resolveToolPath("dangling/x", ws, strictW));
    refused(await resolveToolPath("dangling", ws, looseW));
    refused(await resolveToolPath("loop-a", ws, strict));
    refused(await resolveToolPath("loop-a/x", ws, looseW));
  });

  it("refuses a path through a regular file", async () => {
    expect(refused(await resolveToolPath("ok.txt/x", ws, strictW))).toMatch(/not a directory/);
  });

  it("refuses a hard link when workspaceOnly (its other name may be outside)", async () => {
    expect(refused(await resolveToolPath("hardlink.txt", ws, strict))).toMatch(/hard link \(2 links\)/);
    refused(await resolveToolPath("hardlink.txt", ws, strictW));
    expect(allowed(await resolveToolPath("hardlink.txt", ws, loose))).toBe(path.join(ws, "hardlink.txt"));
  });

  it("refuses Unicode slash look-alikes, bidi and zero-width characters, NUL", async () => {
    for (const sep of ["\u2215", "\u2044", "\uff0f", "\u29f8"]) {
      const reason = refused(await resolveToolPath(`..${sep}..${sep}etc${sep}passwd`, ws, strict));
      expect(reason).toMatch(/looks like a path separator/);
      expect(reason).not.toContain(sep); // the message escapes it
    }
    refused(await resolveToolPath("ok\u202E.txt", ws, strict));
    refused(await resolveToolPath("o\u200Dk.txt", ws, strict));
    expect(refused(await resolveToolPath("ok.txt\0../../etc/passwd", ws, strict))).toMatch(/NUL byte/);
    // Still checked with workspaceOnly off.
    refused(await resolveToolPath("/etc/passwd\0", ws, loose));
    refused(await resolveToolPath("/tmp\u2215x", ws, loose));
  });

  it("NFC-normalises the path", async () => {
    writeFileSync(path.join(ws, "caf\u00e9.txt"), "nfc");
    expect(allowed(await resolveToolPath("cafe\u0301.txt", ws, strict))).toBe(path.join(ws, "caf\u00e9.txt"));
  });

  it("allows outside paths when workspaceOnly is off", async () => {
    expect(allowed(await resolveToolPath("/etc/passwd", ws, loose))).toBe("/etc/passwd");
    expect(allowed(await resolveToolPath("../outside/secret.txt", ws, loose))).toBe(path.join(out, "secret.txt"));
    expect(allowed(await resolveToolPath("link-out/new.txt", ws, looseW))).toBe(path.join(out, "new.txt"));
  });

  it("names the config key it was given", async () => {
    const r = refused(await resolveToolPath("../x", ws, { ...strictW, setting: "tools.exec.applyPatch.workspaceOnly" }));
    expect(r).toMatch(/tools\.exec\.applyPatch\.workspaceOnly is on\.$/);
  });
});

describe("check and use on the same descriptor (TOCTOU)", () => {
  /** Replace ws/sub with a symlink to the outside dir: the classic swap after the check. */
  const swapSubForSymlink = () => {
    renameSync(path.join(ws, "sub"), path.join(ws, "sub-moved"));
    symlinkSync(out, path.join(ws, "sub"));
  };

  for (const noProcFd of [false, true]) {
    const label = noProcFd ? " (dev/ino fallback)" : " (/proc/self/fd)";

    it("a read whose directory is swapped for a symlink after the check is refused" + label, async () => {
      const d = allowed(await resolveToolPath("sub/inner.txt", ws, strict));
      const p = readContained(d, scope(), undefined, { beforeOpen: swapSubForSymlink, noProcFd });
      await expect(p).rejects.toThrow(ToolError);
      await expect(readContained(d, scope(), undefined, { noProcFd })).rejects.toThrow(/changed while it was being opened/);
    });

    it("a write whose directory is swapped before open is refused and leaves nothing outside" + label, async () => {
      const before = outsideEntries();
      const d = allowed(await resolveToolPath("sub/new.txt", ws, strictW));
      await expect(writeContained(d, "pwned", scope(), { beforeOpen: swapSubForSymlink, noProcFd })).rejects.toThrow(
        /changed while it was being opened/,
      );
      expect(outsideEntries()).toEqual(before);
      expect(existsSync(path.join(ws, "sub-moved", "new.txt"))).toBe(false);
    });

    it("a write whose directory is swapped before rename is refused and leaves nothing outside" + label, async () => {
      const before = outsideEntries();
      const d = allowed(await resolveToolPath("sub/inner.txt", ws, strictW));
      await expect(writeContained(d, "pwned", scope(), { beforeRename: swapSubForSymlink, noProcFd })).rejects.toThrow(ToolError);
      expect(outsideEntries()).toEqual(before);
      expect(readFileSync(path.join(out, "inner.txt"), "utf8")).toBe("OUTSIDE INNER\n");
      expect(readFileSync(path.join(ws, "sub-moved", "inner.txt"), "utf8")).toBe("inside inner\n");
      // With /proc the temp file is found and removed; without it, it is left inside the moved dir (still inside).
      if (!noProcFd) expect(readdirSync(path.join(ws, "sub-moved"))).toEqual(["inner.txt"]);
    });

    it("a directory listing whose directory is swapped is refused" + label, async () => {
      const d = allowed(await resolveToolPath("sub", ws, strict));
      await expect(listContained(d, scope(), { beforeOpen: swapSubForSymlink, noProcFd })).rejects.toThrow(/changed/);
    });
  }

  it("a final component swapped for a symlink before a write is not followed", async () => {
    const d = allowed(await resolveToolPath("sub/inner.txt", ws, strictW));
    const swapFinal = () => {
      rmSync(path.join(ws, "sub", "inner.txt"));
      symlinkSync(path.join(out, "inner.txt"), path.join(ws, "sub", "inner.txt"));
    };
    await expect(writeContained(d, "pwned", scope(), { beforeRename: swapFinal })).rejects.toThrow(ToolError);
    expect(readFileSync(path.join(out, "inner.txt"), "utf8")).toBe("OUTSIDE INNER\n");
  });

  it("a file swapped for a symlink before a read is refused (O_NOFOLLOW)", async () => {
    const d = allowed(await resolveToolPath("ok.txt", ws, strict));
    const swap = () => {
      rmSync(path.join(ws, "ok.txt"));
      symlinkSync(path.join(out, "secret.txt"), path.join(ws, "ok.txt"));
    };
    await expect(readContained(d, scope(), undefined, { beforeOpen: swap })).rejects.toThrow(/changed while it was being opened/);
  });

  it("openForWrite never creates through a symlink (O_EXCL|O_NOFOLLOW)", async () => {
    symlinkSync(path.join(out, "created.txt"), path.join(ws, "evil"));
    await expect(openForWrite(path.join(ws, "evil"), scope())).rejects.toThrow(ToolError);
    expect(existsSync(path.join(out, "created.txt"))).toBe(false);
  });

  it("openForWrite verifies the descriptor and refuses a path outside the scope", async () => {
    await expect(openForWrite(path.join(out, "x.txt"), scope())).rejects.toThrow(/resolves outside the workspace/);
    expect(existsSync(path.join(out, "x.txt"))).toBe(false);
    const fh = await openForWrite(path.join(ws, "fresh.txt"), scope());
    await fh.close();
    expect(existsSync(path.join(ws, "fresh.txt"))).toBe(true);
  });

  it("openForRead refuses FIFOs and devices without hanging", async () => {
    await expect(openForRead("/dev/zero", { ...scope(), workspaceOnly: false })).rejects.toThrow(/not a regular file/);
  });

  it("writeContained creates parents, is atomic and keeps the mode of a replaced file", async () => {
    const target = allowed(await resolveToolPath("a/b/c.txt", ws, strictW));
    await writeContained(target, "one", scope());
    expect(readFileSync(target, "utf8")).toBe("one");
    const { chmodSync, statSync } = await import("node:fs");
    chmodSync(target, 0o755);
    await writeContained(target, "two", scope());
    expect(readFileSync(target, "utf8")).toBe("two");
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(readdirSync(path.join(ws, "a", "b"))).toEqual(["c.txt"]);
  });

  it("removeContained refuses when the parent was swapped for a symlink", async () => {
    const d = allowed(await resolveToolPath("sub/inner.txt", ws, strictW));
    swapSubForSymlink();
    await expect(removeContained(d, scope())).rejects.toThrow(/changed/);
    expect(readFileSync(path.join(out, "inner.txt"), "utf8")).toBe("OUTSIDE INNER\n");
  });
});

describe("openVerifiedSync (the memory indexer's reads)", () => {
  /** Replace ws/sub with a symlink to the outside dir, which holds a same-named inner.txt. */
  const swapSubForSymlink = () => {
    renameSync(path.join(ws, "sub"), path.join(ws, "sub-moved"));
    symlinkSync(out, path.join(ws, "sub"));
  };
  const read = (r: ReturnType<typeof openVerifiedSync>) => {
    if (!r.ok) return r.reason;
    try {
      return readFileSync(r.fd, "utf8");
    } finally {
      closeSync(r.fd);
    }
  };

  it("reads a walked file inside its root (control)", () => {
    expect(read(openVerifiedSync(path.join(ws, "sub", "inner.txt"), ws))).toBe("inside inner\n");
  });

  for (const noProcFd of [false, true]) {
    it(`refuses a folder swapped for a link between walk and open${noProcFd ? " (without /proc)" : ""}`, () => {
      const r = openVerifiedSync(path.join(ws, "sub", "inner.txt"), ws, { noProcFd, beforeOpenSync: () => swapSubForSymlink() });
      expect(read(r)).toMatch(/changed while it was being opened/);
    });
  }

  it("refuses a final-component link, a path outside the root, and a non-file", () => {
    expect(read(openVerifiedSync(path.join(ws, "link-out"), ws))).toMatch(/symbolic link|not a regular file/);
    expect(read(openVerifiedSync(path.join(out, "secret.txt"), ws))).toMatch(/is not inside/);
    expect(read(openVerifiedSync(path.join(ws, "sub"), ws))).toMatch(/not a regular file/);
  });
});

describe("readContained's size bound holds on what is read, not on what fstat said", () => {
  it("refuses a file whose reported size is 0 but that yields more than the limit (a file growing after the check, /proc files)", async () => {
    // /proc files report size 0 like a file that an appending process grows after fstat; the
    // bound must hold on the bytes actually read (the gateway read such files whole, up to 2 GiB).
    const p = realpathSync(`/proc/${process.pid}/status`);
    const loose: Scope = { workspace: ws, workspaceOnly: false, setting: "tools.fs.workspaceOnly" };
    await expect(readContained(p, loose, 64)).rejects.toThrow(/is too large \(more than 64 bytes; the limit is 64\)/);
    // Control: the same file under a limit it fits in is read whole.
    expect((await readContained(p, loose, 1024 * 1024)).toString("utf8")).toMatch(/^Name:/);
  });

  it("control: a file of exactly the limit is read whole; one byte more is refused", async () => {
    writeFileSync(path.join(ws, "exact.txt"), "x".repeat(100));
    writeFileSync(path.join(ws, "over.txt"), "x".repeat(101));
    expect((await readContained(path.join(ws, "exact.txt"), scope(), 100)).length).toBe(100);
    await expect(readContained(path.join(ws, "over.txt"), scope(), 100)).rejects.toThrow(/is too large \(101 bytes; the limit is 100\)/);
  });
});
