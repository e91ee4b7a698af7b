// `simpleclaw onboard`, the pure half: turns the operator's answers (wizard or flags)
// into the config to write. Secure defaults are written out explicitly so the file
// shows them: loopback bind, token auth, sandbox for non-main sessions, exec allowlist
// + ask. Secrets other than the gateway token never enter the config: model and
// channel keys go to credentials/ (onboard-actions.ts).
import { BUILTIN_CHANNELS } from "../config/channels.js";
import type { ChannelId } from "../channels/types.js";
import { CONFIG_VERSION } from "../config/migrate.js";

export type ProviderChoice = "anthropic" | "openai" | "openai-compatible";
export const PROVIDERS: readonly ProviderChoice[] = ["anthropic", "openai", "openai-compatible"];
export const ONBOARD_CHANNELS: readonly ChannelId[] = BUILTIN_CHANNELS;

export const DEFAULT_MODELS: Record<Exclude<ProviderChoice, "openai-compatible">, string> = {
  anthropic: "claude-sonnet-4-5",
  openai: "gpt-4.1",
};

/** The provider id an OpenAI-compatible endpoint gets under models.providers. */
export const COMPAT_PROVIDER_ID = "local";

export interface OnboardAnswers {
  provider: ProviderChoice;
  /** Required for openai-compatible. */
  baseUrl?: string;
  model?: string;
  /** The generated gateway token (32 random bytes, base64url). */
  token: string;
  channel?: ChannelId;
  port?: number;
}

export function providerId(provider: ProviderChoice): string {
  return provider === "openai-compatible" ? COMPAT_PROVIDER_ID : provider;
}

/** null when the answers are complete, else one sentence naming what is missing. */
export function answersProblem(a: Omit<OnboardAnswers, "token">): string | null {
  if (!PROVIDERS.includes(a.provider)) return `--provider must be one of ${PROVIDERS.join(", ")}, got "${a.provider}".`;
  if (a.provider === "openai-compatible") {
    if (!a.baseUrl) return "--provider openai-compatible needs --base-url (for example http://127.0.0.1:11434/v1).";
    if (!a.model) return "--provider openai-compatible needs --model (the model id the endpoint serves).";
  }
  if (a.baseUrl !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(a.baseUrl);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) return `--base-url must be an http(s) URL, got "${a.baseUrl}".`;
  }
  if (a.model !== undefined && (a.model.trim() === "" || /\s/.test(a.model))) return `--model must be a model id without spaces, got "${a.model}".`;
  if (a.channel !== undefined && !ONBOARD_CHANNELS.includes(a.channel)) return `--channel must be one of ${ONBOARD_CHANNELS.join(", ")}, got "${a.channel}".`;
  return null;
}

export function modelRef(a: Pick<OnboardAnswers, "provider" | "model">): string {
  const model = a.model ?? (a.provider === "openai-compatible" ? "" : DEFAULT_MODELS[a.provider]);
  return `${providerId(a.provider)}/${model}`;
}

/** The config onboard writes. */
export function buildConfig(a: OnboardAnswers): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    version: CONFIG_VERSION,
    gateway: {
      bind: "loopback",
      port: a.port ?? 18789,
      auth: { mode: "token", token: a.token },
    },
    agents: {
      defaults: {
        model: { primary: modelRef(a) },
        sandbox: { mode: "non-main" },
      },
    },
    tools: {
      exec: { security: "allowlist", ask: "on-miss" },
    },
  };
  if (a.provider === "openai-compatible") {
    // A base URL is not a secret; the key (if the endpoint needs one) goes to credentials/providers.json.
    raw.models = { providers: { [COMPAT_PROVIDER_ID]: { api: "openai-completions", baseUrl: a.baseUrl } } };
  } else if (a.baseUrl) {
    raw.models = { providers: { [a.provider]: { api: a.provider === "anthropic" ? "anthropic-messages" : "openai-completions", baseUrl: a.baseUrl } } };
  }
  if (a.channel) raw.channels = { [a.channel]: { enabled: true, dmPolicy: "pairing" } };
  return raw;
}
