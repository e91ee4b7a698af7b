// The layering in docs/architecture.md, checked: every relative import in src/ points to
// the same layer or a lower one, and no two folders import each other.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "src");

/** Layer of each top-level folder in src/ (docs/architecture.md); higher may import lower. */
const LAYER: Record<string, number> = {
  infra: 0,
  net: 1,
  config: 2,
  security: 3,
  protocol: 4,
  exec: 4,
  sandbox: 4,
  browser: 4,
  devices: 4,
  nodes: 4,
  memory: 5,
  agents: 5,
  channels: 5,
  tools: 5,
  plugins: 5,
  skills: 5,
  audit: 6,
  doctor: 6,
  import: 6,
  gateway: 7,
  cli: 8,
  tui: 8,
  "node-host": 8,
  onboard: 8,
  service: 8,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const folderOf = (file: string) => relative(SRC, file).split(sep)[0]!;

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^"'\n;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g)) {
    out.push(resolve(dirname(file), (m[1] ?? m[2])!));
  }
  return out;
}

describe("source layout (docs/architecture.md)", () => {
  const files = sources(SRC);
  const edges = new Map<string, Set<string>>();
  const upward: string[] = [];
  for (const f of files) {
    const from = folderOf(f);
    for (const target of imports(f)) {
      if (!target.startsWith(SRC + sep)) continue;
      const to = folderOf(target);
      if (to === from || to.endsWith(".ts") || to.endsWith(".js")) continue;
      (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
      if ((LAYER[to] ?? 99) > (LAYER[from] ?? -1)) upward.push(`${relative(SRC, f)} imports ${relative(SRC, target)}`);
    }
  }

  it("knows every folder in src/", () => {
    const folders = new Set(files.map(folderOf).filter((f) => !f.endsWith(".ts")));
    expect([...folders].filter((f) => !(f in LAYER))).toEqual([]);
  });

  it("has no import that points up a layer", () => {
    expect(upward).toEqual([]);
  });

  it("has no two folders importing each other", () => {
    const circles: string[] = [];
    for (const [a, tos] of edges) for (const b of tos) if (a < b && edges.get(b)?.has(a)) circles.push(`${a} <-> ${b}`);
    expect(circles).toEqual([]);
  });
});
