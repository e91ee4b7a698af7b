// Generates docs/configuration.md from the zod schema, so the reference cannot drift
// from the code (a test compares the committed file with this output).
import { z } from "zod";
import { configSchema } from "./schema.js";

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  description?: string;
};

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" \\| ");
  if (s.type === "array") return `${s.items ? typeOf(s.items) : "any"}[]`;
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") return "map";
  const base = Array.isArray(s.type) ? s.type.join(" \\| ") : (s.type ?? "any");
  if (s.format === "uri") return "URL";
  if (typeof s.minimum === "number" && typeof s.maximum === "number" && s.maximum < 1e15) return `${base} (${s.minimum}–${s.maximum})`;
  return base;
}

function rows(s: JsonSchema, path: string, out: string[]): void {
  const props = s.properties;
  if (s.type === "object" && props && Object.keys(props).length > 0) {
    for (const [k, v] of Object.entries(props)) rows(v, path ? `${path}.${k}` : k, out);
    return;
  }
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
    const entry = s.additionalProperties;
    out.push(`| \`${path}\` | map | ${fmtDefault(s.default)} |`);
    if (entry.properties) rows(entry, `${path}.<key>`, out);
    return;
  }
  if (s.type === "array" && s.items?.type === "object" && s.items.properties) {
    out.push(`| \`${path}\` | list | ${fmtDefault(s.default)} |`);
    rows(s.items, `${path}[]`, out);
    return;
  }
  out.push(`| \`${path}\` | ${typeOf(s)} | ${fmtDefault(s.default) || (s.description ?? "")} |`);
}

function fmtDefault(v: unknown): string {
  if (v === undefined) return "";
  const s = JSON.stringify(v);
  return `\`${s.replace(/\|/g, "\\|")}\``;
}

export function configReferenceMarkdown(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const out: string[] = [];
  rows(schema, "", out);
  return [
    "# Configuration reference",
    "",
    "<!-- Generated from src/config/schema.ts by `npm run docs`; do not edit by hand. -->",
    "",
    "The config file is `~/.simpleclaw/simpleclaw.json` (JSON5, mode 600; `SIMPLECLAW_STATE_DIR` or",
    "`SIMPLECLAW_CONFIG_PATH` move it). Every key is optional; unknown keys and bad values are",
    "refused with the key path. Environment variables beat the file: `SIMPLECLAW_GATEWAY_TOKEN`,",
    "`SIMPLECLAW_GATEWAY_PASSWORD`, `SIMPLECLAW_GATEWAY_PORT`, `SIMPLECLAW_GATEWAY_BIND` (a bind mode;",
    "containers set `lan`). `simpleclaw config schema` prints the full JSON Schema;",
    "`simpleclaw config set <key> <value>` edits the file safely.",
    "",
    "What each section does is described in its own page: [agents.md](agents.md) (agents, tools),",
    "[channels.md](channels.md), [exec.md](exec.md), [browser.md](browser.md), [memory.md](memory.md),",
    "[plugins.md](plugins.md), [skills.md](skills.md).",
    "",
    "## Changing the config while the gateway runs",
    "",
    "The gateway watches its config file. A change (a hand edit, `config set`, `config unset`) is",
    "validated first: an invalid file is refused with the key path in the gateway log, and the",
    "gateway keeps running with the config it had. Valid changes to these keys apply at once, to",
    "the next message and the next run: `agents.*`, `models.*`, `tools.*` (except",
    "`tools.browser.enabled`), `session.*`, `skills.*`, the access keys of every channel (`dmPolicy`,",
    "`allowFrom`, `groupPolicy`, `groups`, `owners`), `gateway.nodes.commands`,",
    "`gateway.nodes.autoApproveLoopback` and `gateway.controlUi.allowedOrigins`. Every other key",
    "(bind, port, TLS, auth, logging, memory, plugins, browser, turning a channel on or off, its",
    "tokens) applies only after a restart: `config set` prints `restart needed: …` when a gateway is",
    "running, and the gateway logs it. The rule lives in `src/config/reload.ts` (`appliesLive`).",
    "",
    "| key | type | default |",
    "|---|---|---|",
    ...out,
    "",
  ].join("\n");
}
