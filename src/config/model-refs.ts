// Model references in the config (`provider/model`, docs/agents.md): which ones name a
// provider nobody provides. Pure. `config set` and `config validate` refuse them with the
// key path; the gateway itself still starts (a plugin may register the provider).
import type { Config } from "./schema.js";

/** Providers built into the agent loop (agents/model-ref.ts); others come from models.providers or a plugin. */
export const BUILTIN_MODEL_PROVIDERS = ["anthropic", "openai"] as const;

export interface ModelRefProblem {
  path: string;
  message: string;
}

/** Every model ref with its key path. */
function modelRefs(config: Config): Array<{ path: string; ref: string }> {
  const out: Array<{ path: string; ref: string }> = [];
  const add = (base: string, m: { primary?: string | undefined; fallbacks?: string[] | undefined } | undefined) => {
    if (!m) return;
    if (m.primary !== undefined) out.push({ path: `${base}.primary`, ref: m.primary });
    (m.fallbacks ?? []).forEach((ref, i) => out.push({ path: `${base}.fallbacks.${i}`, ref }));
  };
  add("agents.defaults.model", config.agents.defaults.model);
  config.agents.list.forEach((a, i) => add(`agents.list.${i}.model`, a.model));
  return out;
}

/**
 * Refs that are not `provider/model`, or whose provider is neither built in nor under
 * models.providers. When plugins may load (plugins.allow or plugins.load.paths set), an
 * unknown provider is let through: a plugin may register it at start-up.
 */
export function modelRefProblems(config: Config): ModelRefProblem[] {
  const known = new Set<string>([...BUILTIN_MODEL_PROVIDERS, ...Object.keys(config.models.providers)]);
  const pluginsMayProvide = (config.plugins.allow?.length ?? 0) > 0 || config.plugins.load.paths.length > 0;
  const problems: ModelRefProblem[] = [];
  for (const { path, ref } of modelRefs(config)) {
    const slash = ref.indexOf("/");
    if (slash <= 0 || slash === ref.length - 1) {
      problems.push({ path, message: `"${ref}" is not a model ref; write provider/model, e.g. anthropic/claude-sonnet-4-5` });
      continue;
    }
    const provider = ref.slice(0, slash);
    if (known.has(provider) || pluginsMayProvide) continue;
    problems.push({
      path,
      message: `"${ref}" names an unknown provider "${provider}"; use ${[...known].join(", ")}, or add models.providers.${provider} ({api, baseUrl}) first (docs/agents.md)`,
    });
  }
  return problems;
}
