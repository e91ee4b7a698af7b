// The onboard wizard's setup checks (src/onboard/probe.ts) against local fakes that speak the
// real wire protocols: GET /v1/models of an OpenAI-compatible server and Anthropic's, Telegram's
// getMe through the real grammY client, Discord's /users/@me. What the person at the prompt sees:
// the models to pick from, or one line saying why the endpoint or token did not check out — and
// never the key or token itself.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeBotToken, probeModels } from "../src/onboard/probe.js";
import { startFakeDiscord, type FakeDiscord } from "./fakes/discord.js";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { startFakeTelegram, type FakeTelegram } from "./fakes/telegram.js";

const KEY = "sk-probe-test-0123456789";
const TG_TOKEN = "123456789:AAprobe-token-for-tests-only_0123456";
const DC_TOKEN = "MTAx.probe-discord-token.0123456789";

let models: FakeModelServer;
let tg: FakeTelegram;
let dc: FakeDiscord;
let html: Server;
let htmlUrl: string;
let closedPort: number;

beforeAll(async () => {
  models = await startFakeModelServer({ apiKey: KEY, models: ["qwen2.5:7b", "llama3.1:8b"] });
  tg = await startFakeTelegram({ token: TG_TOKEN, botUsername: "probe_bot" });
  dc = await startFakeDiscord({ botToken: DC_TOKEN, botUsername: "probebot" });
  html = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>a web page</html>"));
  await new Promise<void>((r) => html.listen(0, "127.0.0.1", r));
  htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  // A port nothing listens on: bind one, then let it go.
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", r));
  closedPort = (tmp.address() as AddressInfo).port;
  await new Promise((r) => tmp.close(r));
});
afterAll(async () => {
  await Promise.all([models.close(), tg.close(), dc.close(), new Promise((r) => html.close(r))]);
});

describe("model endpoint check", () => {
  it("lists the models of an OpenAI-compatible endpoint with the key", async () => {
    expect(await probeModels("openai-compatible", models.url, KEY)).toEqual({ ok: true, models: ["llama3.1:8b", "qwen2.5:7b"] });
    expect(await probeModels("openai-compatible", `${models.url}/`, KEY)).toMatchObject({ ok: true });
  });

  it("speaks Anthropic's dialect (x-api-key, anthropic-version) for anthropic", async () => {
    expect(await probeModels("anthropic", models.url, KEY)).toEqual({ ok: true, models: ["llama3.1:8b", "qwen2.5:7b"] });
    const last = models.requests.at(-1);
    expect(last?.headers["x-api-key"] ?? last?.headers["anthropic-version"]).toBeUndefined(); // /models is not recorded as a chat request
  });

  it("says the key was refused, without echoing it", async () => {
    const r = await probeModels("openai-compatible", models.url, "sk-wrong-key-0123456789");
    expect(r).toEqual({ ok: false, reason: `${models.url} refused the API key (HTTP 401)` });
    expect(await probeModels("anthropic", models.url, undefined)).toMatchObject({ ok: false, reason: /refused the API key/ });
  });

  it("says nothing is listening, or that the URL is not an API", async () => {
    const dead = await probeModels("openai-compatible", `http://127.0.0.1:${closedPort}/v1`, KEY);
    expect(dead).toEqual({ ok: false, reason: `nothing is listening at http://127.0.0.1:${closedPort}/v1` });
    expect(await probeModels("openai-compatible", htmlUrl, KEY)).toEqual({ ok: false, reason: `${htmlUrl}/models did not answer with JSON (is this the API's base URL, ending in /v1?)` });
  });

  it("never puts credentials from the URL into the reason", async () => {
    const r = await probeModels("openai-compatible", `http://user:hunter2secret@127.0.0.1:${closedPort}/v1`, KEY);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("hunter2secret");
  });
});

describe("bot token check", () => {
  it("Telegram: getMe names the bot; a wrong token is rejected and not echoed", async () => {
    expect(await probeBotToken("telegram", TG_TOKEN, { apiRoot: tg.apiRoot })).toEqual({ ok: true, name: "@probe_bot" });
    const wrong = "987654321:AAwrong-token-for-tests-only_65432";
    const r = await probeBotToken("telegram", wrong, { apiRoot: tg.apiRoot });
    expect(r).toMatchObject({ ok: false, reason: /^Telegram rejected the bot token \(401/ });
    expect(JSON.stringify(r)).not.toContain(wrong);
  });

  it("Telegram unreachable: says so (the wizard then keeps the token unchecked)", async () => {
    const r = await probeBotToken("telegram", TG_TOKEN, { apiRoot: `http://127.0.0.1:${closedPort}` });
    expect(r.ok).toBe(false);
    expect(r.ok || r.reason).not.toMatch(/rejected/);
    expect(JSON.stringify(r)).not.toContain(TG_TOKEN);
  });

  it("Discord: /users/@me names the bot; a wrong token is rejected", async () => {
    expect(await probeBotToken("discord", DC_TOKEN, { apiRoot: dc.apiUrl })).toEqual({ ok: true, name: "probebot" });
    expect(await probeBotToken("discord", "MTAx.wrong.token", { apiRoot: dc.apiUrl })).toEqual({ ok: false, reason: "Discord rejected the bot token (401 Unauthorized)" });
  });
});
