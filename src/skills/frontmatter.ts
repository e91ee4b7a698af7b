// Reading a skill's SKILL.md (docs/skills.md "Format"): YAML front matter between `---`
// lines, then the instructions. Parsing never throws: a malformed skill gets one sentence
// saying what is wrong, and the loader skips it.
import { createRequire } from "node:module";

// yaml costs ~50 ms to load: loaded on the first SKILL.md, not with every gateway start.
let yamlParse: typeof import("yaml").parse | undefined;
function parseYaml(text: string, options: { maxAliasCount: number; logLevel: "error" }): unknown {
  yamlParse ??= (createRequire(import.meta.url)("yaml") as typeof import("yaml")).parse;
  return yamlParse(text, options);
}

export const SKILL_FILE = "SKILL.md";
export const SKILL_NAME_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const MAX_SKILL_MD_BYTES = 256 * 1024;
export const MAX_DESCRIPTION_CHARS = 1024;
export const MAX_FRONT_MATTER_CHARS = 16 * 1024;

/** What a skill needs from the host. Empty lists mean no requirement. */
export interface Requirements {
  bins: string[];
  env: string[];
  /** Node platform names (linux, darwin, win32); `macos` and `windows` are accepted aliases. */
  os: string[];
}

export interface SkillMeta {
  name: string;
  description: string;
  requires: Requirements;
  /** The instructions after the front matter. */
  body: string;
}

export type ParseResult = { ok: true; meta: SkillMeta } | { ok: false; error: string };

const OS_ALIASES: Record<string, string> = { macos: "darwin", mac: "darwin", osx: "darwin", windows: "win32", win: "win32" };

/** A name to show as is: printable, no whitespace, no control, format or private-use characters. */
const PLAIN_NAME = /^[^\s\p{C}]+$/u;

function stringList(v: unknown, key: string): string[] | string {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x.length > 0 && x.length <= 200)) {
    return `${key} must be a list of names`;
  }
  return v as string[];
}

function readRequires(front: Record<string, unknown>): Requirements | string {
  // `requires:` at the top, or nested under `metadata:` (or `metadata.simpleclaw:`).
  const meta = front.metadata && typeof front.metadata === "object" ? (front.metadata as Record<string, unknown>) : undefined;
  const nested = meta?.simpleclaw && typeof meta.simpleclaw === "object" ? (meta.simpleclaw as Record<string, unknown>) : undefined;
  const raw = front.requires ?? nested?.requires ?? meta?.requires;
  if (raw === undefined || raw === null) return { bins: [], env: [], os: [] };
  if (typeof raw !== "object" || Array.isArray(raw)) return "requires must be a mapping with bins, env and/or os";
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !["bins", "env", "os"].includes(k));
  if (unknown.length) return `requires has unknown key ${JSON.stringify(unknown[0])} (allowed: bins, env, os)`;
  const bins = stringList(r.bins, "requires.bins");
  const env = stringList(r.env, "requires.env");
  const os = stringList(r.os, "requires.os");
  for (const x of [bins, env, os]) if (typeof x === "string") return x;
  const binsL = bins as string[];
  if (binsL.some((b) => b.includes("/") || b.includes("\\"))) return "requires.bins must be program names, not paths";
  // Shown in skills list and the Control UI: no spaces, controls or invisible characters.
  if (binsL.some((b) => !PLAIN_NAME.test(b) || b === "." || b === "..")) return "requires.bins must be program names (no spaces, control or invisible characters)";
  if ((os as string[]).some((o) => !/^[a-z0-9_-]{1,32}$/i.test(o))) return "requires.os must be platform names such as linux, darwin, win32";
  const envL = env as string[];
  if (envL.some((e) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e))) return "requires.env must be environment variable names";
  return { bins: binsL, env: envL, os: (os as string[]).map((o) => OS_ALIASES[o.toLowerCase()] ?? o.toLowerCase()) };
}

/** Parses SKILL.md text. `folder` is the skill folder's name, which must equal `name` (undefined: not checked, e.g. before install). */
export function parseSkillMd(text: string, folder: string | undefined): ParseResult {
  const t = text.startsWith("\ufeff") ? text.slice(1) : text;
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(t);
  if (!m) return { ok: false, error: `${SKILL_FILE} does not start with YAML front matter between "---" lines` };
  // Parsed for every skill on every run: YAML costs ~2 ms per KiB, and real front matter is a
  // few lines, so a larger one is refused before the parser sees it.
  if (m[1]!.length > MAX_FRONT_MATTER_CHARS) return { ok: false, error: `${SKILL_FILE} front matter is longer than ${MAX_FRONT_MATTER_CHARS / 1024} KiB` };
  let front: unknown;
  try {
    // logLevel "error": a warning (an unknown tag) would go to process.emitWarning with the
    // skill's raw text in it, control characters included; errors are thrown and summarized.
    front = parseYaml(m[1]!, { maxAliasCount: 10, logLevel: "error" });
  } catch (err) {
    const first = String((err as Error).message ?? err).split("\n")[0];
    return { ok: false, error: `${SKILL_FILE} front matter is not valid YAML (${first})` };
  }
  if (!front || typeof front !== "object" || Array.isArray(front)) return { ok: false, error: `${SKILL_FILE} front matter must be a mapping with name and description` };
  const f = front as Record<string, unknown>;
  if (typeof f.name !== "string" || !SKILL_NAME_RE.test(f.name)) {
    return { ok: false, error: `${SKILL_FILE} front matter needs name: 1-64 lowercase letters, digits or - (got ${JSON.stringify(f.name ?? null)})` };
  }
  if (folder !== undefined && f.name !== folder) return { ok: false, error: `${SKILL_FILE} names the skill "${f.name}" but its folder is "${folder}"; they must match` };
  if (typeof f.description !== "string" || f.description.trim() === "") return { ok: false, error: `${SKILL_FILE} front matter needs a description` };
  if (f.description.length > MAX_DESCRIPTION_CHARS) return { ok: false, error: `${SKILL_FILE} description is longer than ${MAX_DESCRIPTION_CHARS} characters` };
  const requires = readRequires(f);
  if (typeof requires === "string") return { ok: false, error: `${SKILL_FILE} front matter: ${requires}` };
  return { ok: true, meta: { name: f.name, description: f.description.trim(), requires, body: t.slice(m[0].length) } };
}
