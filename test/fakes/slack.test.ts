// The real Slack adapter (@slack/bolt: Socket Mode client, HTTPReceiver, WebClient) against
// the fake Slack: events in, normalized; replies out; 429/5xx surfaced for the core's retry;
// HTTP Events mode refuses unsigned, mis-signed and replayed (stale) requests.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackAdapter, type SlackAdapter } from "../../src/channels/slack.js";
import { ChannelSendError, type InboundMessage } from "../../src/channels/types.js";
import { postSignedEvent, startFakeSlack, type FakeSlack } from "./slack.js";
import { waitFor, settle } from "../helpers/wait.js";

const BOT = "xoxb-1111-2222-fakeslacktokenfortests";
const APP = "xapp-1-A111-2222-fakeappleveltoken";
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";


let fake: FakeSlack;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeEach(async () => {
  fake = await startFakeSlack({ botToken: BOT, appToken: APP, botUserId: "U0CLAWBOT", teamId: "T0TEAM" });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  await fake.close();
});

async function startSocket(extra: { onError?: (e: unknown) => void } = {}) {
  const got: InboundMessage[] = [];
  const errors: unknown[] = [];
  const adapter = createSlackAdapter({ botToken: BOT, appToken: APP, apiUrl: fake.apiUrl, onError: extra.onError ?? ((e) => errors.push(e)) });
  await adapter.start((m) => got.push(m));
  cleanups.push(() => adapter.stop());
  return { adapter, got, errors };
}

describe("slack adapter: Socket Mode", () => {
  it("connects via auth.test + apps.connections.open with the right tokens", async () => {
    const { adapter } = await startSocket();
    expect(adapter.id).toBe("slack");
    expect(adapter.textLimit).toBe(4000);
    expect(fake.connections()).toBe(1);
    const methods = fake.requests.map((r) => [r.method, r.auth]);
    expect(methods).toContainEqual(["auth.test", "bot"]);
    expect(methods).toContainEqual(["apps.connections.open", "app"]);
  });

  it("normalizes a DM and acks the envelope", async () => {
    const { got } = await startSocket();
    const id = await fake.sendDirect({ id: "U123", name: "Alice" }, "hello there");
    const m = await waitFor(() => got[0]);
    expect(m).toEqual({
      channel: "slack",
      accountId: "T0TEAM",
      messageId: id,
      sender: { id: "U123" },
      chat: { type: "direct", id: "DU123" },
      text: "hello there",
      mentioned: false,
    });
    expect(id).toMatch(/^DU123:\d+\.\d{6}$/);
    const envelope = fake.delivered[0]!.envelope_id;
    await waitFor(() => fake.acks.find((a) => a.envelope_id === envelope));
  });

  it("group without a mention → mentioned false; with <@BOT> → true and stripped; one message even with app_mention", async () => {
    const { got, errors } = await startSocket();
    await fake.sendGroup("C100", { id: "U1" }, "just chatting");
    await waitFor(() => got[0]);
    expect(got[0]).toMatchObject({ chat: { type: "group", id: "C100" }, text: "just chatting", mentioned: false });

    await fake.sendGroup("C100", { id: "U1" }, "what's up?", { mention: true });
    // the fake also delivers the same ts as an app_mention event: it must not double up
    await waitFor(() => fake.acks.length >= 3 || undefined);
    await settle();
    expect(got).toHaveLength(2);
    expect(got[1]).toMatchObject({ chat: { type: "group", id: "C100" }, text: "what's up?", mentioned: true, sender: { id: "U1" } });
    expect(fake.delivered.map((d) => d.event.type)).toEqual(["message", "message", "app_mention"]);
    expect(errors).toEqual([]);
  });

  it("carries thread_ts as threadId; a reply in a thread under the bot's own post counts as a mention", async () => {
    const { adapter, got } = await startSocket();
    await fake.sendGroup("C200", { id: "U2" }, "in a thread", { threadId: "1700000000.000100" });
    await waitFor(() => got[0]);
    expect(got[0]).toMatchObject({ chat: { type: "group", id: "C200", threadId: "1700000000.000100" }, mentioned: false });

    await adapter.sendText({ chatId: "C200" }, "I started this");
    const botTs = fake.posted.at(-1)!.ts;
    await fake.sendGroup("C200", { id: "U2" }, "replying to the bot", { threadId: botTs });
    await waitFor(() => got[1]);
    expect(got[1]).toMatchObject({ chat: { threadId: botTs }, mentioned: true, text: "replying to the bot" });
  });

  it("ignores the bot's own messages, other bots and edit/join subtypes", async () => {
    const { got } = await startSocket();
    const base = fake.groupEvent("C300", { id: "U0CLAWBOT" }, "my own echo");
    await fake.deliver(base);
    await fake.deliver({ ...fake.groupEvent("C300", { id: "U9" }, "from a bot"), bot_id: "B999", subtype: "bot_message" });
    await fake.deliver({ ...fake.groupEvent("C300", { id: "U9" }, "from a bot w/o subtype"), bot_id: "B999" });
    await fake.deliver({ ...fake.groupEvent("C300", { id: "U9" }, "edited"), subtype: "message_changed" });
    await fake.deliver({ ...fake.groupEvent("C300", { id: "U9" }, "joined"), subtype: "channel_join" });
    await fake.deliver({ ...fake.groupEvent("C300", { id: "U9" }, "broadcast"), subtype: "thread_broadcast", thread_ts: "1700000000.000001" });
    await waitFor(() => got[0]);
    await waitFor(() => fake.acks.length >= 6 || undefined);
    await settle();
    expect(got.map((m) => m.text)).toEqual(["broadcast"]);
  });

  it("sendText → chat.postMessage with channel, thread and text as given", async () => {
    const { adapter } = await startSocket();
    await adapter.sendText({ chatId: "C400", threadId: "1700000000.000200" }, "a *reply* with <angle> & stuff");
    await adapter.sendText({ chatId: "DU5" }, "plain");
    expect(fake.sent()).toEqual([
      { chatId: "C400", text: "a *reply* with <angle> & stuff", threadId: "1700000000.000200" },
      { chatId: "DU5", text: "plain" },
    ]);
    const post = fake.requests.find((r) => r.method === "chat.postMessage")!;
    expect(post.auth).toBe("bot");
    expect(post.params.blocks).toBeUndefined();
  });

  it("429 → ChannelSendError(429, retryAfterMs) without retrying itself; 500 → ChannelSendError(500)", async () => {
    const { adapter } = await startSocket();
    fake.failNextSends(1, 429, 7);
    const t0 = Date.now();
    const e1 = await adapter.sendText({ chatId: "C500" }, "x").catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(e1).toBeInstanceOf(ChannelSendError);
    expect(e1).toMatchObject({ status: 429, retryAfterMs: 7000 });

    fake.failNextSends(1, 500);
    const e2 = await adapter.sendText({ chatId: "C500" }, "x").catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ChannelSendError);
    expect(e2).toMatchObject({ status: 500 });
    expect((e2 as Error).message).not.toContain(BOT);

    expect(fake.requests.filter((r) => r.method === "chat.postMessage")).toHaveLength(2);
    await adapter.sendText({ chatId: "C500" }, "now it works");
    expect(fake.sent()).toEqual([{ chatId: "C500", text: "now it works" }]);
  });

  it("reconnects after Slack asks it to (disconnect message) and keeps delivering", async () => {
    const { got, errors } = await startSocket();
    fake.requestReconnect();
    await waitFor(() => fake.requests.filter((r) => r.method === "apps.connections.open").length >= 2 || undefined);
    await waitFor(() => fake.connections() === 1 || undefined);
    await fake.sendDirect({ id: "U7" }, "still there?");
    await waitFor(() => got[0]);
    expect(got[0]!.text).toBe("still there?");
    expect(errors.map(String).join("\n")).not.toContain(BOT);
    expect(errors.map(String).join("\n")).not.toContain(APP);
  });

  it("when Slack goes away it reports errors (no crash, no unhandled rejection) and stop() is still prompt", async () => {
    const { adapter, errors } = await startSocket();
    await fake.close();
    await waitFor(() => errors.some((e) => /reconnect failed/.test(String(e))) || undefined, 8000);
    const t0 = Date.now();
    await adapter.stop();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(errors.map(String).join("\n")).not.toContain(BOT);
    fake = await startFakeSlack({ botToken: BOT, appToken: APP }); // for afterEach
  });

  it("a wrong bot token rejects start() clearly, without the token in the message", async () => {
    const wrong = "xoxb-9999-9999-wrongwrongwrong";
    const adapter = createSlackAdapter({ botToken: wrong, appToken: APP, apiUrl: fake.apiUrl });
    const err = (await adapter.start(() => {}).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/bot token.*invalid_auth/);
    expect(err.message).not.toContain(wrong);
    expect(fake.connections()).toBe(0);
    await adapter.stop();
  });

  it("a wrong app token rejects start() clearly, without the token in the message", async () => {
    const wrong = "xapp-1-A999-wrongappleveltoken";
    const adapter = createSlackAdapter({ botToken: BOT, appToken: wrong, apiUrl: fake.apiUrl, onError: () => {} });
    const err = (await adapter.start(() => {}).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/app-level token.*invalid_auth/);
    expect(err.message).not.toContain(wrong);
    await adapter.stop();
  });

  it("socket mode without an app token is refused up front", () => {
    expect(() => createSlackAdapter({ botToken: BOT, apiUrl: fake.apiUrl })).toThrow(/app-level token/);
  });

  it("stop() returns promptly and closes the socket; no reconnect afterwards", async () => {
    const { adapter } = await startSocket();
    const t0 = Date.now();
    await adapter.stop();
    expect(Date.now() - t0).toBeLessThan(1500);
    await waitFor(() => fake.connections() === 0 || undefined);
    const opens = fake.requests.filter((r) => r.method === "apps.connections.open").length;
    await settle(600);
    expect(fake.requests.filter((r) => r.method === "apps.connections.open").length).toBe(opens);
    await adapter.stop(); // idempotent
  });
});

describe("slack adapter: HTTP Events mode", () => {
  async function startHttp() {
    const got: InboundMessage[] = [];
    const adapter: SlackAdapter = createSlackAdapter({ botToken: BOT, signingSecret: SECRET, apiUrl: fake.apiUrl, mode: "http", httpPort: 0, onError: () => {} });
    await adapter.start((m) => got.push(m));
    cleanups.push(() => adapter.stop());
    const url = `http://127.0.0.1:${adapter.httpPort}/slack/events`;
    return { adapter, got, url };
  }

  it("requires a signing secret", () => {
    expect(() => createSlackAdapter({ botToken: BOT, apiUrl: fake.apiUrl, mode: "http" })).toThrow(/signing secret/);
  });

  it("delivers a correctly signed event", async () => {
    const { got, url } = await startHttp();
    const ev = fake.directEvent({ id: "U42" }, "over http");
    const res = await postSignedEvent(url, SECRET, fake.eventCallback(ev));
    expect(res.status).toBe(200);
    const m = await waitFor(() => got[0]);
    expect(m).toMatchObject({ messageId: `DU42:${String(ev.ts)}`, chat: { type: "direct", id: "DU42" }, text: "over http", accountId: "T0TEAM" });
  });

  it("answers the url_verification challenge", async () => {
    const { url } = await startHttp();
    const res = await postSignedEvent(url, SECRET, { token: "t", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    expect(res.status).toBe(200);
    expect(res.body).toContain("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  });

  it("attack: bad signature, wrong secret, stale timestamp (replay) and unsigned requests get 401 and are not delivered", async () => {
    const { got, url } = await startHttp();
    const payload = (text: string) => fake.eventCallback(fake.directEvent({ id: "U66" }, text));

    expect((await postSignedEvent(url, SECRET, payload("bad sig"), { badSignature: true })).status).toBe(401);
    expect((await postSignedEvent(url, "not-the-secret", payload("wrong secret"))).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSignedEvent(url, SECRET, payload("replayed"), { timestamp: stale })).status).toBe(401);
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    expect((await postSignedEvent(url, SECRET, payload("from the future"), { timestamp: future })).status).toBe(401);
    const unsigned = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload("unsigned")) });
    expect(unsigned.status).toBe(401);
    // a challenge is not answered without a valid signature either
    expect((await postSignedEvent(url, "not-the-secret", { type: "url_verification", challenge: "abc" })).status).toBe(401);

    await postSignedEvent(url, SECRET, payload("legit"));
    await waitFor(() => got[0]);
    await settle(200);
    expect(got.map((m) => m.text)).toEqual(["legit"]);
  });

  it("stop() closes the port promptly", async () => {
    const { adapter, url } = await startHttp();
    const t0 = Date.now();
    await adapter.stop();
    expect(Date.now() - t0).toBeLessThan(1500);
    await expect(fetch(url, { method: "POST", body: "{}" })).rejects.toThrow();
  });
});
