import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/io.js";
import { CONFIG_VERSION } from "../config/migrate.js";
import { answersProblem, buildConfig, modelRef } from "./plan.js";

const token = "t".repeat(43);

describe("onboard plan", () => {
  it("writes secure defaults explicitly and validates", () => {
    const raw = buildConfig({ provider: "anthropic", token });
    const v = validateConfig(raw);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.config.version).toBe(CONFIG_VERSION);
    expect(v.config.gateway).toMatchObject({ bind: "loopback", port: 18789, auth: { mode: "token", token } });
    expect(v.config.agents.defaults.sandbox.mode).toBe("non-main");
    expect(v.config.tools.exec).toMatchObject({ security: "allowlist", ask: "on-miss" });
    expect(v.config.agents.defaults.model.primary).toBe("anthropic/claude-sonnet-4-5");
  });
  it("an OpenAI-compatible endpoint becomes models.providers.local without a key", () => {
    const raw = buildConfig({ provider: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.1", token });
    expect(raw.models).toEqual({ providers: { local: { api: "openai-completions", baseUrl: "http://127.0.0.1:11434/v1" } } });
    expect(JSON.stringify(raw)).not.toContain("apiKey");
    expect(validateConfig(raw).ok).toBe(true);
    expect(modelRef({ provider: "openai-compatible", model: "llama3.1" })).toBe("local/llama3.1");
  });
  it("a channel is enabled with pairing", () => {
    expect(buildConfig({ provider: "openai", token, channel: "telegram" }).channels).toEqual({ telegram: { enabled: true, dmPolicy: "pairing" } });
  });
  it("names what is missing", () => {
    expect(answersProblem({ provider: "openai-compatible" })).toMatch(/--base-url/);
    expect(answersProblem({ provider: "openai-compatible", baseUrl: "http://x" })).toMatch(/--model/);
    expect(answersProblem({ provider: "openai-compatible", baseUrl: "ftp://x", model: "m" })).toMatch(/http\(s\) URL/);
    expect(answersProblem({ provider: "gemini" as never })).toMatch(/--provider must be one of/);
    expect(answersProblem({ provider: "anthropic", channel: "irc" as never })).toMatch(/--channel/);
    expect(answersProblem({ provider: "anthropic" })).toBeNull();
  });
});
