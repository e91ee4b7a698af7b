// Optional embeddings for memory search (memory.embeddings): "none" (default, keyword
// search only), "openai", or any OpenAI-compatible /embeddings endpoint (baseUrl). Calls
// go through the AI SDK (`embedMany`/`embed`), loaded only when embeddings are on. Keys
// come from the environment or config, never from the model.
import type { Config } from "../config/schema.js";
import type { Env } from "../config/paths.js";
import type { ProviderCredentials } from "../agents/model-ref.js";

export interface Embedder {
  /** Cache key for vectors: provider, endpoint and model (vectors of different models never mix). */
  key: string;
  /** For messages: provider/model. */
  label: string;
  embedMany(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  embed(text: string, signal?: AbortSignal): Promise<Float32Array>;
}

export type EmbedderResolution = { ok: true; embedder: Embedder | undefined } | { ok: false; reason: string };

export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

/** The API key for embeddings: the named env var (or OPENAI_API_KEY), then config, then credentials/providers.json "openai". */
export function embeddingApiKey(cfg: Config["memory"]["embeddings"], env: Env, creds: ProviderCredentials = {}): string | undefined {
  const envName = cfg.apiKeyEnv ?? (cfg.provider === "openai" ? "OPENAI_API_KEY" : undefined);
  const fromCreds = cfg.provider === "openai" && Object.hasOwn(creds, "openai") ? creds.openai?.apiKey : undefined;
  return (envName ? env[envName] : undefined) || cfg.apiKey || fromCreds || undefined;
}

/** Build the embedder for the config (undefined when provider is "none"). */
export function resolveEmbedder(config: Config, env: Env, creds: ProviderCredentials = {}): EmbedderResolution {
  const cfg = config.memory.embeddings;
  if (cfg.provider === "none") return { ok: true, embedder: undefined };
  const apiKey = embeddingApiKey(cfg, env, creds);
  if (cfg.provider === "openai" && !apiKey) {
    return {
      ok: false,
      reason: `no API key for memory embeddings: set ${cfg.apiKeyEnv ?? "OPENAI_API_KEY"} in the environment, memory.embeddings.apiKey, or credentials/providers.json "openai".`,
    };
  }
  if (cfg.provider === "openai-compatible" && (!cfg.baseUrl || !cfg.model)) {
    return { ok: false, reason: 'memory.embeddings.baseUrl and memory.embeddings.model are required for provider "openai-compatible".' };
  }
  const model = cfg.model ?? DEFAULT_OPENAI_EMBEDDING_MODEL;
  const key = `${cfg.provider}|${cfg.baseUrl ?? ""}|${model}`;
  const batchSize = cfg.batchSize;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let modelPromise: Promise<any> | undefined;
  const load = () =>
    (modelPromise ??= (async () => {
      if (cfg.provider === "openai") {
        const { createOpenAI } = await import("@ai-sdk/openai");
        return createOpenAI({ apiKey, ...(cfg.baseUrl ? { baseURL: cfg.baseUrl } : {}) }).embeddingModel(model);
      }
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      return createOpenAICompatible({ name: "memory-embeddings", baseURL: cfg.baseUrl!, ...(apiKey ? { apiKey } : {}) }).embeddingModel(model);
    })());
  return {
    ok: true,
    embedder: {
      key,
      label: `${cfg.provider}/${model}`,
      async embedMany(texts, signal) {
        const { embedMany } = await import("ai");
        const m = await load();
        const out: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += batchSize) {
          const { embeddings } = await embedMany({ model: m, values: texts.slice(i, i + batchSize), maxRetries: 1, abortSignal: signal });
          for (const e of embeddings) out.push(Float32Array.from(e));
        }
        return out;
      },
      async embed(text, signal) {
        const { embed } = await import("ai");
        const { embedding } = await embed({ model: await load(), value: text, maxRetries: 1, abortSignal: signal });
        return Float32Array.from(embedding);
      },
    },
  };
}

/** One sentence for a failed embedding call, without secrets. */
export function describeEmbeddingError(err: unknown, label: string): string {
  const e = err as { statusCode?: number; message?: string } | undefined;
  const first = String(e?.message ?? err).split("\n")[0]!.slice(0, 200);
  if (e?.statusCode === 401 || e?.statusCode === 403) return `embeddings ${label} refused the API key (HTTP ${e.statusCode}).`;
  if (e?.statusCode) return `embeddings ${label} failed with HTTP ${e.statusCode}: ${first}`;
  return `embeddings ${label} failed: ${first}`;
}
