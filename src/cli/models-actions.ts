// Implementations of `simpleclaw models list|set` (lazy-loaded). `set` is `config set
// agents.defaults.model.primary` with the same checks and the same hot reload.
import { loadProviderCredentials, resolveModel, type ProviderCredentials } from "../agents/model-ref.js";
import { readRawConfig, validateConfig } from "../config/io.js";
import { BUILTIN_MODEL_PROVIDERS } from "../config/model-refs.js";
import { statePaths } from "../config/paths.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { configSet } from "./config-actions.js";
import { Redactor } from "../infra/redact.js";

export async function modelsList(opts: { json?: boolean }): Promise<void> {
  const { raw, path } = readRawConfig();
  const v = validateConfig(raw);
  if (!v.ok) throw new UserError(`invalid config in ${path}: ${v.problems.join("; ")}.`, EXIT.config);
  const config = v.config;
  let creds: ProviderCredentials = {};
  let credsProblem: string | undefined;
  try {
    creds = loadProviderCredentials(statePaths(process.env).credentials);
  } catch (err) {
    credsProblem = errorMessage(err);
  }
  const status = (ref: string) => {
    const r = resolveModel(ref, config, process.env, creds);
    return r.ok ? "ready" : r.reason;
  };
  const d = config.agents.defaults.model;
  const agents = config.agents.list.map((a) => ({
    id: a.id,
    primary: a.model?.primary ?? d.primary ?? "",
    fallbacks: a.model?.fallbacks ?? d.fallbacks,
  }));
  const providers = [
    ...BUILTIN_MODEL_PROVIDERS.map((id) => ({ id, builtin: true, baseUrl: undefined as string | undefined })),
    // Credentials in a base URL (https://user:pass@proxy/v1) are masked as in `config get`.
    ...Object.entries(config.models.providers).map(([id, p]) => ({ id, builtin: false, baseUrl: new Redactor().text(p.baseUrl) })),
  ];
  if (opts.json) {
    const withStatus = agents.map((a) => ({ ...a, primaryStatus: status(a.primary), fallbacks: a.fallbacks.map((ref) => ({ ref, status: status(ref) })) }));
    process.stdout.write(`${JSON.stringify({ agents: withStatus, providers }, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const a of agents) {
    lines.push(`agent ${a.id}: ${a.primary} (${status(a.primary)})`);
    for (const fb of a.fallbacks) lines.push(`  fallback ${fb} (${status(fb)})`);
  }
  lines.push("providers:");
  for (const p of providers) lines.push(`  ${p.id}${p.builtin ? " (built in)" : ` → ${p.baseUrl}`}`);
  if (credsProblem) lines.push(`warning: ${credsProblem}`);
  lines.push("Change the default with: simpleclaw models set <provider/model>");
  process.stdout.write(`${lines.join("\n")}\n`);
}

export async function modelsSet(ref: string): Promise<void> {
  await configSet("agents.defaults.model.primary", ref);
}
