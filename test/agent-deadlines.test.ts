// Model deadlines (agents.defaults.timeouts, docs/agents.md#deadlines) through a real
// gateway and the real AI SDK against the fake model API: a model that never answers,
// one that sends headers and goes silent, and one that streams forever each end within
// the configured (short) deadline with a timeout error — and, when nothing had streamed,
// the next fallback model answers instead.
import { afterEach, describe, expect, it } from "vitest";
import { startGateway } from "../src/gateway/start.js";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { chatClient } from "./helpers/chat.js";
import { cleanupAll, onCleanup, randomToken, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

async function fakeModel(): Promise<FakeModelServer> {
  const fake = await startFakeModelServer({ apiKey: "sk-fake-key-1234567890abcdef" });
  onCleanup(() => fake.close());
  return fake;
}

async function boot(fake: FakeModelServer, fallbacks: string[], timeouts: Record<string, number>) {
  const config = {
    gateway: { auth: { token: randomToken() } },
    agents: { defaults: { model: { primary: "fake/slow", fallbacks }, timeouts } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
  };
  const state = tempStateDir(config);
  const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
  onCleanup(() => gw.close());
  return chatClient(gw.url, config.gateway.auth.token);
}

const short = { firstByteSeconds: 1, idleSeconds: 1, stepSeconds: 3 };

describe("model deadlines", () => {
  it("a model that never sends headers times out at firstByteSeconds and the fallback answers", async () => {
    const fake = await fakeModel();
    fake.script({ text: "too late", delayMs: 60_000 }, { text: "from the fallback" });
    const chat = await boot(fake, ["fake/backup"], short);
    const t0 = Date.now();
    const end = await chat.ask("hello");
    const ms = Date.now() - t0;
    expect(end).toMatchObject({ state: "final", text: "from the fallback", model: "fake/backup" });
    const fb = chat.events.find((e) => e.state === "fallback");
    expect(fb).toMatchObject({ from: "fake/slow", to: "fake/backup" });
    expect(fb?.reason).toMatch(/timed out.*firstByteSeconds/);
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(5000);
  }, 20_000);

  it("without a fallback the same model ends the run with a TIMEOUT error, not 'aborted'", async () => {
    const fake = await fakeModel();
    fake.script({ text: "too late", delayMs: 60_000 });
    const chat = await boot(fake, [], short);
    const end = await chat.ask("hello");
    expect(end).toMatchObject({ state: "error", code: "TIMEOUT" });
    expect((end as { message: string }).message).toMatch(/fake\/slow timed out: no response within 1 s/);
  }, 20_000);

  it("a model that sends headers and then goes silent times out at idleSeconds and falls back", async () => {
    const fake = await fakeModel();
    fake.script({ text: "never", silentAfterHeaders: true }, { text: "backup here" });
    const chat = await boot(fake, ["fake/backup"], short);
    const t0 = Date.now();
    const end = await chat.ask("hello");
    expect(end).toMatchObject({ state: "final", text: "backup here" });
    expect(chat.events.find((e) => e.state === "fallback")?.reason).toMatch(/stalled for 1 s.*idleSeconds/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fake.requests[0]!.aborted).toBe(true); // the gateway hung up on the silent model
  }, 20_000);

  it("a stream that stalls after some text ends with a TIMEOUT error and keeps what streamed", async () => {
    const fake = await fakeModel();
    fake.script({ text: "part one", chunks: ["part ", "one", " never"], chunkDelayMs: 30_000 });
    const chat = await boot(fake, ["fake/backup"], short);
    const end = await chat.ask("hello");
    expect(end).toMatchObject({ state: "error", code: "TIMEOUT" });
    expect(chat.events.some((e) => e.state === "fallback")).toBe(false); // text had streamed: no silent switch
    const h = await chat.client.call<any>("chat.history", {});
    expect(h.messages.at(-1).message.content[0].text).toBe("part ");
  }, 20_000);

  it("an endless stream is cut at stepSeconds with a TIMEOUT error", async () => {
    const fake = await fakeModel();
    const chunks = Array.from({ length: 100_000 }, (_, i) => `w${i} `);
    fake.script({ text: chunks.join(""), chunks, chunkDelayMs: 20 });
    // Generous first-byte/idle deadlines, so only the step deadline can end it (even on a loaded machine).
    const chat = await boot(fake, ["fake/backup"], { firstByteSeconds: 10, idleSeconds: 10, stepSeconds: 3 });
    const t0 = Date.now();
    const end = await chat.ask("hello");
    const ms = Date.now() - t0;
    expect(end).toMatchObject({ state: "error", code: "TIMEOUT" });
    expect((end as { message: string }).message).toMatch(/longer than 3 s.*stepSeconds/);
    expect(ms).toBeGreaterThan(2900);
    expect(ms).toBeLessThan(6000);
    expect(chat.events.filter((e) => e.state === "delta").length).toBeGreaterThan(10);
    // the session is free again: the next message runs
    fake.script({ text: "next one" });
    expect(await chat.ask("again")).toMatchObject({ state: "final", text: "next one" });
  }, 20_000);
});
