// AI SDK language models for resolved model refs (model-ref.ts), and how model
// failures are classified: which ones move on to a fallback, and how they are told.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, type LanguageModel } from "ai";
import type { ResolvedModel } from "./model-ref.js";
import { deadlineFetch, findTimeout, type Deadlines } from "./deadlines.js";

/** `deadlines`: first-byte and idle limits enforced by the provider's fetch (deadlines.ts). */
export function languageModel(m: ResolvedModel, deadlines?: Pick<Deadlines, "firstByteMs" | "idleMs">): LanguageModel {
  if (m.create) return m.create(m.modelId);
  const fetchOpt = deadlines ? { fetch: deadlineFetch(deadlines) } : {};
  if (m.api === "anthropic-messages") {
    return createAnthropic({ apiKey: m.apiKey, ...(m.baseUrl ? { baseURL: m.baseUrl } : {}), ...fetchOpt })(m.modelId);
  }
  if (m.builtin && m.providerId === "openai") {
    return createOpenAI({ apiKey: m.apiKey, ...(m.baseUrl ? { baseURL: m.baseUrl } : {}), ...fetchOpt }).chat(m.modelId);
  }
  return createOpenAICompatible({ name: m.providerId, baseURL: m.baseUrl!, includeUsage: true, ...(m.apiKey ? { apiKey: m.apiKey } : {}), ...fetchOpt })(m.modelId);
}

/**
 * Whether a failed model call should move on to the next fallback: rate limits,
 * overload, timeouts (HTTP 408 or our own deadlines), 5xx and unreachable endpoints. Auth and bad-request errors
 * would fail the same way on any model, so they do not.
 */
export function shouldFallback(err: unknown): boolean {
  if (findTimeout(err)) return true;
  if (APICallError.isInstance(err)) {
    const s = err.statusCode;
    if (s === undefined) return true; // no HTTP answer at all: connection refused / reset
    return s === 408 || s === 425 || s === 429 || s === 529 || (s >= 500 && s <= 599);
  }
  const e = err as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (e?.name === "TimeoutError") return true;
  const code = e?.code ?? e?.cause?.code;
  return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
}

/** One sentence about a model failure, with secrets kept out. */
export function describeModelError(err: unknown, ref: string): string {
  const timeout = findTimeout(err);
  if (timeout) return `model ${ref} timed out: ${timeout.message}.`;
  if (APICallError.isInstance(err)) {
    const s = err.statusCode;
    if (s === 401 || s === 403) return `model ${ref} refused the API key (HTTP ${s}); check the provider's key.`;
    if (s === 429) return `model ${ref} is rate-limited (HTTP 429); try again later or configure fallbacks.`;
    if (s !== undefined) return `model ${ref} failed with HTTP ${s}: ${firstSentence(err.message)}`;
    return `model ${ref} could not be reached: ${firstSentence(err.message)}`;
  }
  return `model ${ref} failed: ${firstSentence(err instanceof Error ? err.message : String(err))}`;
}

function firstSentence(s: string): string {
  const line = s.split("\n")[0]!.slice(0, 300);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
