// Model references and API keys: turns a `provider/model` ref into a resolved model
// (provider, endpoint, key). Built in: `anthropic` and `openai`; anything else is an
// entry under models.providers. Keys come from the environment or
// credentials/providers.json, never from the model. Pure, and free of the AI SDK so
// the gateway can start without loading it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import type { LanguageModel } from "ai";

export type ProviderApi = "anthropic-messages" | "openai-completions";

export interface ResolvedModel {
  ref: string;
  providerId: string;
  modelId: string;
  api: ProviderApi;
  builtin: boolean;
  baseUrl?: string;
  apiKey?: string;
  /** A plugin-provided model: builds the AI SDK model itself. */
  create?: (modelId: string) => LanguageModel;
}

export type ModelResolution = { ok: true; model: ResolvedModel } | { ok: false; reason: string };

const BUILTIN: Record<string, { api: ProviderApi; envKey: string }> = {
  anthropic: { api: "anthropic-messages", envKey: "ANTHROPIC_API_KEY" },
  openai: { api: "openai-completions", envKey: "OPENAI_API_KEY" },
};

export function providerEnvKey(providerId: string): string {
  return BUILTIN[providerId]?.envKey ?? `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`;
}

export type ProviderCredentials = Record<string, { apiKey?: string }>;

/** credentials/providers.json: `{"anthropic": {"apiKey": "…"}}`. A broken file is reported, not ignored. */
export function loadProviderCredentials(credentialsDir: string): ProviderCredentials {
  const path = join(credentialsDir, "providers.json");
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new Error(`${path} is not valid JSON; fix it or remove it.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${path} must be a JSON object like {"anthropic": {"apiKey": "…"}}.`);
  }
  return parsed as ProviderCredentials;
}

export function parseModelRef(ref: string): { providerId: string; modelId: string } | undefined {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  return { providerId: ref.slice(0, slash), modelId: ref.slice(slash + 1) };
}

export function resolveModel(
  ref: string,
  config: Config,
  env: Env,
  creds: ProviderCredentials,
  pluginProviders?: ReadonlyMap<string, { createModel(modelId: string): LanguageModel }>,
): ModelResolution {
  const parsed = parseModelRef(ref);
  if (!parsed) return { ok: false, reason: `model "${ref}" is not a provider/model reference (for example anthropic/claude-sonnet-4-5).` };
  const { providerId, modelId } = parsed;
  const plugin = pluginProviders?.get(providerId);
  if (plugin && !Object.hasOwn(config.models.providers, providerId) && !Object.hasOwn(BUILTIN, providerId)) {
    return { ok: true, model: { ref, providerId, modelId, api: "openai-completions", builtin: false, create: (id) => plugin.createModel(id) } };
  }
  const custom = Object.hasOwn(config.models.providers, providerId) ? config.models.providers[providerId] : undefined;
  const builtin = Object.hasOwn(BUILTIN, providerId) ? BUILTIN[providerId] : undefined;
  if (!custom && !builtin) {
    return { ok: false, reason: `model "${ref}" names provider "${providerId}", which is neither built in (anthropic, openai) nor under models.providers.` };
  }
  const envKey = providerEnvKey(providerId);
  const apiKey = env[envKey] || custom?.apiKey || (Object.hasOwn(creds, providerId) ? creds[providerId]?.apiKey : undefined) || undefined;
  const api = custom?.api ?? builtin!.api;
  if (!apiKey && (builtin || api === "anthropic-messages")) {
    return {
      ok: false,
      reason: `no API key for provider "${providerId}": set ${envKey} in the gateway's environment or add {"${providerId}": {"apiKey": "…"}} to credentials/providers.json.`,
    };
  }
  return { ok: true, model: { ref, providerId, modelId, api, builtin: !!builtin, baseUrl: custom?.baseUrl, apiKey } };
}
