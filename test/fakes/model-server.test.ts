// Proves the fake model server speaks the real wire formats: the real AI SDK provider clients
// (@ai-sdk/openai chat + responses, @ai-sdk/openai-compatible, @ai-sdk/anthropic) run against it unmodified.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, stepCountIs, streamText, tool, type LanguageModel } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startFakeModelServer, type FakeApi, type FakeModelServer } from "./model-server.js";

const KEY = "sk-fake-0123456789";

let fake: FakeModelServer;

beforeAll(async () => {
  fake = await startFakeModelServer({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

interface ProviderCase {
  name: string;
  api: FakeApi;
  model: (key?: string) => LanguageModel;
}

const cases: ProviderCase[] = [
  {
    name: "openai.chat (createOpenAI)",
    api: "openai-chat",
    model: (key = KEY) => createOpenAI({ baseURL: fake.url, apiKey: key }).chat("gpt-4o-mini"),
  },
  {
    name: "openai-compatible (createOpenAICompatible)",
    api: "openai-chat",
    model: (key = KEY) =>
      createOpenAICompatible({ name: "fakecompat", baseURL: fake.url, apiKey: key, includeUsage: true })("local-model"),
  },
  {
    name: "openai responses (createOpenAI default)",
    api: "openai-responses",
    model: (key = KEY) => createOpenAI({ baseURL: fake.url, apiKey: key })("gpt-4o-mini"),
  },
  {
    name: "anthropic (createAnthropic)",
    api: "anthropic",
    model: (key = KEY) => createAnthropic({ baseURL: fake.url, apiKey: key })("claude-sonnet-4-5"),
  },
];

/**
 * Drains fullStream; returns text deltas and error parts (streamText reports API errors as error parts).
 * A broken transport (socket dropped mid-body) makes the iteration itself throw: that lands in `thrown`.
 */
async function drain(result: { fullStream: AsyncIterable<{ type: string; [k: string]: unknown }> }) {
  const deltas: string[] = [];
  const errors: unknown[] = [];
  const types: string[] = [];
  let thrown: unknown;
  try {
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === "text-delta") deltas.push(String(part.text ?? part.delta ?? ""));
      if (part.type === "error") errors.push(part.error);
    }
  } catch (err) {
    thrown = err;
  }
  return { deltas, errors, types, thrown };
}

const addTool = () =>
  tool({
    description: "Add two numbers",
    inputSchema: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => ({ sum: a + b }),
  });

describe.each(cases)("$name", ({ api, model }) => {
  it("streams scripted text in several chunks and reports usage", async () => {
    fake.script({ text: "Hello there from the fake model", usage: { inputTokens: 11, outputTokens: 7 } });
    const result = streamText({ model: model(), prompt: "hi", maxRetries: 0 });
    const { deltas, errors } = await drain(result);
    expect(errors).toEqual([]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("Hello there from the fake model");
    expect(await result.text).toBe("Hello there from the fake model");
    expect(await result.finishReason).toBe("stop");
    const usage = await result.totalUsage;
    expect(usage.inputTokens).toBe(11);
    expect(usage.outputTokens).toBe(7);
    expect(usage.totalTokens).toBe(18);

    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.api).toBe(api);
    expect(req.stream).toBe(true);
    expect(req.lastUserText).toBe("hi");
    expect(req.completed).toBe(true);
    expect(req.aborted).toBe(false);
    if (api === "openai-chat") expect(req.body.stream_options).toEqual({ include_usage: true });
  });

  it("echoes the last user message by default (and records the system prompt)", async () => {
    const result = streamText({ model: model(), system: "be brief", prompt: "ping 42", maxRetries: 0 });
    expect(await result.text).toBe("echo: ping 42");
    expect(fake.requests[0]!.system).toBe("be brief");
  });

  it("non-streaming generateText works", async () => {
    fake.script({ text: "plain json reply", usage: { inputTokens: 3, outputTokens: 2 } });
    const result = await generateText({ model: model(), prompt: "hello", maxRetries: 0 });
    expect(result.text).toBe("plain json reply");
    expect(result.usage.inputTokens).toBe(3);
    expect(result.usage.outputTokens).toBe(2);
    expect(fake.requests[0]!.stream).toBe(false);
  });

  it("does a tool-call round trip (2 steps) and the second request carries the tool result", async () => {
    fake.script(
      { toolCalls: [{ name: "add", input: { a: 2, b: 3 } }], usage: { inputTokens: 5, outputTokens: 4 } },
      (req) => ({
        text: `the sum is ${(req.toolResults.at(-1)?.value as { sum: number }).sum}`,
        usage: { inputTokens: 9, outputTokens: 6 },
      }),
    );
    const executed: unknown[] = [];
    const result = streamText({
      model: model(),
      prompt: "what is 2+3?",
      tools: {
        add: tool({
          description: "Add two numbers",
          inputSchema: z.object({ a: z.number(), b: z.number() }),
          execute: async (input) => {
            executed.push(input);
            return { sum: input.a + input.b };
          },
        }),
      },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    const { errors } = await drain(result);
    expect(errors).toEqual([]);
    expect(await result.text).toBe("the sum is 5");
    expect(executed).toEqual([{ a: 2, b: 3 }]);
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0]!.finishReason).toBe("tool-calls");
    expect(steps[0]!.toolCalls.map((c) => [c.toolName, c.input])).toEqual([["add", { a: 2, b: 3 }]]);
    const total = await result.totalUsage;
    expect(total.inputTokens).toBe(14);
    expect(total.outputTokens).toBe(10);

    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first!.toolNames).toEqual(["add"]);
    expect(first!.toolResults).toEqual([]);
    expect(second!.toolResults).toHaveLength(1);
    expect(second!.toolResults[0]!.toolName).toBe("add");
    expect(second!.toolResults[0]!.value).toEqual({ sum: 5 });
    expect(second!.lastUserText).toBe("what is 2+3?");
    const callId = steps[0]!.toolCalls[0]!.toolCallId;
    expect(second!.toolResults[0]!.toolCallId).toBe(callId);
  });

  it("streams multiple tool calls plus leading text in one turn", async () => {
    fake.script(
      { text: "Let me add. ", toolCalls: [{ name: "add", input: { a: 1, b: 1 } }, { name: "add", input: { a: 10, b: 20 } }] },
      (req) => ({ text: req.toolResults.map((r) => (r.value as { sum: number }).sum).join(",") }),
    );
    const result = streamText({ model: model(), prompt: "go", tools: { add: addTool() }, stopWhen: stepCountIs(2), maxRetries: 0 });
    expect(await result.text).toBe("2,30");
    const steps = await result.steps;
    expect(steps[0]!.text).toBe("Let me add. ");
    expect(steps[0]!.toolCalls.map((c) => c.input)).toEqual([
      { a: 1, b: 1 },
      { a: 10, b: 20 },
    ]);
  });

  it("429 surfaces as APICallError with statusCode 429 and retry-after", async () => {
    fake.script({ error: { status: 429, message: "Rate limit reached for requests", retryAfter: 7 } });
    const result = streamText({ model: model(), prompt: "hi", maxRetries: 0 });
    const { errors } = await drain(result);
    expect(errors).toHaveLength(1);
    const err = errors[0];
    expect(APICallError.isInstance(err)).toBe(true);
    const e = err as APICallError;
    expect(e.statusCode).toBe(429);
    expect(e.isRetryable).toBe(true);
    expect(e.message).toBe("Rate limit reached for requests");
    expect(e.responseHeaders?.["retry-after"]).toBe("7");
    expect(fake.requests).toHaveLength(1);
  });

  it("500 with default maxRetries is retried and then succeeds", async () => {
    fake.script({ error: { status: 500, message: "boom", retryAfterMs: 10 } }, { text: "recovered" });
    const result = streamText({ model: model(), prompt: "hi" });
    expect(await result.text).toBe("recovered");
    expect(fake.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it("a wrong API key gets a 401 APICallError and consumes no scripted turn", async () => {
    fake.script({ text: "still queued" });
    const result = streamText({ model: model("wrong-key"), prompt: "hi", maxRetries: 0 });
    const { errors } = await drain(result);
    expect(errors).toHaveLength(1);
    const e = errors[0] as APICallError;
    expect(APICallError.isInstance(e)).toBe(true);
    expect(e.statusCode).toBe(401);
    expect(e.isRetryable).toBe(false);
    expect(fake.requests[0]!.authorized).toBe(false);
    expect(fake.pending()).toBe(1);
    const body = JSON.parse(e.responseBody ?? "{}");
    if (api === "anthropic") expect(body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    else expect(body).toMatchObject({ error: { code: "invalid_api_key", type: "invalid_request_error" } });
  });

  it("abort mid-stream is seen by the server (chunkDelayMs)", async () => {
    fake.script({ text: "one two three four five six", chunks: ["one ", "two ", "three ", "four"], chunkDelayMs: 5_000 });
    const ac = new AbortController();
    const result = streamText({ model: model(), prompt: "slow", abortSignal: ac.signal, maxRetries: 0 });
    const seen: string[] = [];
    const t0 = Date.now();
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        seen.push(part.text);
        ac.abort();
      }
      if (part.type === "abort" || part.type === "error") break;
    }
    expect(seen).toEqual(["one "]);
    const req = await fake.waitForSettled(0);
    expect(req.aborted).toBe(true);
    expect(req.completed).toBe(false);
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it("an in-stream provider error after some text surfaces as an error part", async () => {
    fake.script({ text: "partial ", streamError: { message: "upstream overloaded" } });
    const result = streamText({ model: model(), prompt: "hi", maxRetries: 0 });
    const { deltas, errors } = await drain(result);
    expect(deltas.join("")).toBe("partial ");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(errors[0], Object.getOwnPropertyNames(errors[0] ?? {}))).toContain("upstream overloaded");
  });
});

describe("fake model server specifics", () => {
  it("exposes url with /v1 and answers 404 in the provider error shape for unknown routes", async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const r = await fetch(`${fake.url}/nope`, { method: "POST", headers: { authorization: `Bearer ${KEY}` } });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  it("missing key → OpenAI-shaped 401; Anthropic accepts x-api-key", async () => {
    const r = await fetch(`${fake.url}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/didn't provide an API key/);
    const a = await fetch(`${fake.url}/messages`, {
      method: "POST",
      headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "claude", max_tokens: 10, messages: [{ role: "user", content: "yo" }] }),
    });
    expect(a.status).toBe(200);
    expect(await a.json()).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "echo: yo" }], stop_reason: "end_turn" });
  });

  it("raw OpenAI chat SSE ends with [DONE] and includes a usage-only chunk when requested", async () => {
    fake.script({ text: "a b c", usage: { inputTokens: 1, outputTokens: 3 } });
    const r = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "x" }] }),
    });
    expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    const lines = (await r.text()).split("\n").filter((l) => l.startsWith("data: "));
    expect(lines.at(-1)).toBe("data: [DONE]");
    const usageChunk = JSON.parse(lines.at(-2)!.slice(6));
    expect(usageChunk).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } });
  });

  it("openai-compatible without includeUsage gets no usage chunk (like real OpenAI)", async () => {
    const m = createOpenAICompatible({ name: "nousage", baseURL: fake.url, apiKey: KEY })("m");
    const result = streamText({ model: m, prompt: "q", maxRetries: 0 });
    expect(await result.text).toBe("echo: q");
    expect(fake.requests[0]!.body.stream_options).toBeUndefined();
    expect((await result.usage).inputTokens).toBeUndefined();
  });

  it("setDefault changes the fallback turn; function turns see the request; delayMs delays the reply", async () => {
    fake.setDefault((req) => ({ text: `default for ${req.api}`, delayMs: 150 }));
    const m = createAnthropic({ baseURL: fake.url, apiKey: KEY })("claude-sonnet-4-5");
    const t0 = Date.now();
    const result = streamText({ model: m, prompt: "q", maxRetries: 0 });
    expect(await result.text).toBe("default for anthropic");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    fake.setDefault(null);
    const again = streamText({ model: m, prompt: "q2", maxRetries: 0 });
    expect(await again.text).toBe("echo: q2");
  });

  it("finishReason length maps to the provider's truncation signal", async () => {
    fake.script({ text: "cut off", finishReason: "length" }, { text: "cut off", finishReason: "length" });
    const a = streamText({ model: createAnthropic({ baseURL: fake.url, apiKey: KEY })("claude-sonnet-4-5"), prompt: "q", maxRetries: 0 });
    expect(await a.finishReason).toBe("length");
    const o = streamText({ model: createOpenAI({ baseURL: fake.url, apiKey: KEY }).chat("g"), prompt: "q", maxRetries: 0 });
    expect(await o.finishReason).toBe("length");
  });

  it("dropConnection mid-stream surfaces an error to the client", async () => {
    fake.script({ text: "half of it", dropConnection: true });
    const result = streamText({ model: createOpenAI({ baseURL: fake.url, apiKey: KEY }).chat("g"), prompt: "q", maxRetries: 0 });
    const { deltas, errors, thrown } = await drain(result);
    expect(deltas.join("")).toBe("half of it");
    // the real SDK rejects the stream iteration itself with an APICallError("Failed to process successful response")
    const err = thrown ?? errors[0];
    expect(APICallError.isInstance(err)).toBe(true);
    expect(fake.requests[0]!.completed).toBe(false);
  });

  it("waitForRequests resolves once enough requests arrived", async () => {
    const m = createOpenAI({ baseURL: fake.url, apiKey: KEY }).chat("g");
    const waiting = fake.waitForRequests(2);
    await Promise.all([streamText({ model: m, prompt: "a", maxRetries: 0 }).text, streamText({ model: m, prompt: "b", maxRetries: 0 }).text]);
    const reqs = await waiting;
    expect(reqs.map((r) => r.lastUserText).sort()).toEqual(["a", "b"]);
  });
});
