import { describe, expect, it } from "vitest";
import { modelRefProblems } from "./model-refs.js";
import { configSchema, type ConfigInput } from "./schema.js";

const problems = (input: ConfigInput) => modelRefProblems(configSchema.parse(input));

describe("modelRefProblems", () => {
  it("accepts built-in providers and configured ones", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ agents: { defaults: { model: { primary: "local/llama3.1", fallbacks: ["openai/gpt-4o"] } } }, models: { providers: { local: { api: "openai-completions", baseUrl: "http://127.0.0.1:11434/v1" } } } })).toEqual([]);
  });

  it("refuses an unknown provider with the key path", () => {
    expect(problems({ agents: { defaults: { model: { primary: "ollama/llama3.1" } } } })).toEqual([
      { path: "agents.defaults.model.primary", message: expect.stringMatching(/unknown provider "ollama"; use anthropic, openai, or add models\.providers\.ollama/) },
    ]);
    expect(problems({ agents: { list: [{ id: "main", model: { fallbacks: ["x/y"] } }] } })[0]!.path).toBe("agents.list.0.model.fallbacks.0");
  });

  it("refuses a ref without provider/model", () => {
    expect(problems({ agents: { defaults: { model: { primary: "gpt-4o" } } } })[0]!.message).toMatch(/not a model ref/);
  });

  it("lets an unknown provider through when a plugin may register it", () => {
    expect(problems({ agents: { defaults: { model: { primary: "myplug/m" } } }, plugins: { allow: ["myplug"] } })).toEqual([]);
  });
});
