// Setup checks (docs/getting-started.md, "Setup"): does the model endpoint answer with this key,
// and which models does it offer; does the chat platform accept this bot token. Used by the
// onboard wizard so a typo shows up while the person is still at the prompt, not at the first
// message. Each check has a short deadline and never throws: it says what it found in one line.
import { Redactor } from "../infra/redact.js";

const redact = (text: string, secrets: string[] = []) => new Redactor(secrets).text(text);

export type ProbeProvider = "anthropic" | "openai" | "openai-compatible";
export type ModelsProbe = { ok: true; models: string[] } | { ok: false; reason: string };
export type TokenProbe = { ok: true; name: string } | { ok: false; reason: string };

export const PROBE_TIMEOUT_MS = 5_000;
const DEFAULT_BASE: Record<Exclude<ProbeProvider, "openai-compatible">, string> = {
  anthropic: "https://api.anthropic.com/v1",
  openai: "https://api.openai.com/v1",
};

function describeFailure(err: unknown, what: string): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] }; message?: string };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  // undici puts the socket error in `cause` (an AggregateError when several addresses were tried).
  const code = e?.cause?.code ?? e?.cause?.errors?.find((x) => x.code)?.code ?? e?.code;
  if (code === "ECONNREFUSED") return `nothing is listening at ${what}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${what} cannot be resolved (no network or a wrong host name)`;
  return `${what} could not be reached (${code ?? e?.cause?.message ?? e?.message ?? String(err)})`;
}

/** GET <base>/models with the key: the model ids the endpoint offers, or why not. */
export async function probeModels(provider: ProbeProvider, baseUrl: string | undefined, apiKey: string | undefined, timeoutMs = PROBE_TIMEOUT_MS): Promise<ModelsProbe> {
  const base = (baseUrl ?? (provider === "openai-compatible" ? "" : DEFAULT_BASE[provider])).replace(/\/+$/, "");
  if (!base) return { ok: false, reason: "no base URL" };
  const headers: Record<string, string> = { accept: "application/json" };
  if (provider === "anthropic") {
    headers["anthropic-version"] = "2023-06-01";
    if (apiKey) headers["x-api-key"] = apiKey;
  } else if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const url = `${base}/models`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (err) {
    return { ok: false, reason: redact(describeFailure(err, base)) };
  }
  if (res.status === 401 || res.status === 403) return { ok: false, reason: `${base} refused the API key (HTTP ${res.status})` };
  if (!res.ok) return { ok: false, reason: `${url} answered HTTP ${res.status}` };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, reason: `${url} did not answer with JSON (is this the API's base URL, ending in /v1?)` };
  }
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data)) return { ok: false, reason: `${url} did not answer with a model list` };
  const models = data.map((m) => (m as { id?: unknown })?.id).filter((id): id is string => typeof id === "string" && id.length > 0 && id.length <= 200);
  return { ok: true, models: [...new Set(models)].sort() };
}

/** Asks the chat platform who this bot token belongs to (Telegram getMe, Discord /users/@me). */
export async function probeBotToken(channel: "telegram" | "discord", token: string, opts: { apiRoot?: string; timeoutMs?: number } = {}): Promise<TokenProbe> {
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  if (channel === "telegram") {
    const { Api, GrammyError } = await import("grammy");
    const api = new Api(token, opts.apiRoot ? { apiRoot: opts.apiRoot.replace(/\/+$/, "") } : undefined);
    try {
      // grammy types its signal with the abort-controller polyfill; Node's is the same thing at run time.
      const me = await api.getMe(AbortSignal.timeout(timeoutMs) as unknown as Parameters<typeof api.getMe>[0]);
      return { ok: true, name: `@${me.username}` };
    } catch (err) {
      if (err instanceof GrammyError) return { ok: false, reason: redact(`Telegram rejected the bot token (${err.error_code} ${err.description})`, [token]) };
      return { ok: false, reason: redact(describeFailure((err as { error?: unknown })?.error ?? err, "Telegram"), [token]) };
    }
  }
  const base = (opts.apiRoot ?? "https://discord.com/api").replace(/\/+$/, "");
  try {
    const res = await fetch(`${base}/v10/users/@me`, { headers: { authorization: `Bot ${token}` }, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
    if (res.status === 401) return { ok: false, reason: "Discord rejected the bot token (401 Unauthorized)" };
    if (!res.ok) return { ok: false, reason: `Discord answered HTTP ${res.status}` };
    const me = (await res.json()) as { username?: string };
    return { ok: true, name: me.username ?? "the bot" };
  } catch (err) {
    return { ok: false, reason: redact(describeFailure(err, "Discord"), [token]) };
  }
}
