// `simpleclaw --version` (and --help) must stay fast: they may load commander and the CLI
// registration modules, never the gateway, the WebSocket library, zod or selfsigned.
// We run the real bin under a preload that records every module the process resolves.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const MARK = "@@simpleclaw-loaded@@";

const PRELOAD = `
import { registerHooks } from "node:module";
const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const r = nextResolve(specifier, context);
    seen.add(r.url);
    return r;
  },
});
process.on("exit", () => {
  process.stderr.write("\\n${MARK}" + JSON.stringify([...seen]) + "\\n");
});
`;

let dir: string;
let preload: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "simpleclaw-lazy-"));
  preload = join(dir, "record-loads.mjs");
  writeFileSync(preload, PRELOAD);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loadedBy(args: string[]): { status: number | null; stdout: string; loaded: string[] } {
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, "bin/simpleclaw.mjs", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, SIMPLECLAW_STATE_DIR: join(dir, "state"), NODE_OPTIONS: "" },
    timeout: 20_000,
  });
  const line = r.stderr.split("\n").find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`no load record from the child (status ${r.status}): ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, loaded: JSON.parse(line.slice(MARK.length)) as string[] };
}

const FORBIDDEN = ["/dist/gateway/", "/node_modules/ws/", "/node_modules/selfsigned/", "/node_modules/zod/", "/dist/config/schema.js", "/dist/protocol/"];

describe("CLI lazy loading", () => {
  it("the build exists (run `npm run build` first)", () => {
    expect(existsSync(join(repo, "dist", "cli", "main.js"))).toBe(true);
  });

  it.each([["--version"], ["-v"], ["--help"], ["gateway", "--help"]])("`simpleclaw %s` does not load the gateway, ws, zod or selfsigned", (...args) => {
    const { status, stdout, loaded } = loadedBy(args);
    expect(status).toBe(0);
    if (args[0] === "--version" || args[0] === "-v") expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The recorder works: it saw the entry's runtime check (and, past the --version fast path, the CLI and commander).
    expect(loaded.some((u) => u.includes("/dist/infra/runtime.js"))).toBe(true);
    if (args[0] !== "--version" && args[0] !== "-v") {
      expect(loaded.some((u) => u.includes("/dist/cli/main.js"))).toBe(true);
      expect(loaded.some((u) => u.includes("/node_modules/commander/"))).toBe(true);
    }
    expect(loaded.some((u) => u.includes("/node_modules/ai/") || u.includes("/node_modules/@ai-sdk/"))).toBe(false);
    const bad = loaded.filter((u) => FORBIDDEN.some((f) => u.includes(f)));
    expect(bad).toEqual([]);
  });

  it("the recorder does see the gateway modules when a command needs them (control)", () => {
    // `config schema` needs zod; proves a forbidden module would be caught.
    const { status, loaded } = loadedBy(["config", "schema"]);
    expect(status).toBe(0);
    expect(loaded.some((u) => u.includes("/node_modules/zod/"))).toBe(true);
  });
});
