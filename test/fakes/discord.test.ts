// The real Discord adapter (discord.js gateway client + REST) against the fake Discord:
// messages in over the gateway WebSocket, normalized; replies out over REST with every
// mention disabled; 429/5xx surfaced for the core's retry; a bad token refused at start;
// owner notifications addressed by user id reach a DM; the token never in an error.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscordAdapter } from "../../src/channels/discord.js";
import { ChannelSendError, type ChannelAdapter, type InboundMessage } from "../../src/channels/types.js";
import { startFakeDiscord, type FakeDiscord } from "./discord.js";
import { waitFor, settle } from "../helpers/wait.js";

const TOKEN = "MTExMTExMTExMTExMTExMTEx.Fake.DiscordTokenForTestsOnly_abcdef";
const CHANNEL = "1400000000000000001";


let fake: FakeDiscord;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeEach(async () => {
  fake = await startFakeDiscord({ botToken: TOKEN });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  await fake.close();
});

async function start(token = TOKEN) {
  const got: InboundMessage[] = [];
  const errors: unknown[] = [];
  const adapter: ChannelAdapter = createDiscordAdapter({ botToken: token, apiUrl: fake.apiUrl, onError: (e) => errors.push(e) });
  cleanups.push(() => adapter.stop());
  await adapter.start((m) => got.push(m));
  return { adapter, got, errors };
}

describe("discord adapter: connecting", () => {
  it("asks REST for the gateway, identifies with the intents it needs, and is connected", async () => {
    await start();
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/gateway/bot", auth: "bot" });
    expect(fake.connections()).toBe(1);
    const intents = Number(fake.identifies[0]!.intents);
    // Guilds (1<<0), GuildMessages (1<<9), DirectMessages (1<<12), MessageContent (1<<15); nothing else.
    expect(intents).toBe((1 << 0) | (1 << 9) | (1 << 12) | (1 << 15));
  });

  it("a wrong token makes start() reject naming the cause, without the token", async () => {
    const bad = "MjIyMjIyMjIyMjIyMjIyMjIy.Wrong.TokenValueThatDiscordRejects_xyz";
    const adapter = createDiscordAdapter({ botToken: bad, apiUrl: fake.apiUrl });
    cleanups.push(() => adapter.stop());
    const err = await adapter.start(() => {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/rejected the bot token/);
    expect(err?.message).not.toContain(bad);
    expect(fake.connections()).toBe(0);
  });

  it("stop() disconnects promptly", async () => {
    const { adapter } = await start();
    const t = Date.now();
    await adapter.stop();
    expect(Date.now() - t).toBeLessThan(3500);
    await waitFor(() => fake.connections() === 0);
  });
});

describe("discord adapter: inbound", () => {
  it("normalizes a DM: direct chat on the DM channel, stable user id, display name", async () => {
    const { got } = await start();
    const id = await fake.sendDirect({ id: "5001", name: "Mallory" }, "  hello there ");
    const m = await waitFor(() => got[0]);
    expect(m).toEqual({
      channel: "discord",
      accountId: fake.botUserId,
      messageId: id,
      sender: { id: "5001", name: "Mallory" },
      chat: { type: "direct", id: id.split(":")[0] },
      text: "hello there",
      mentioned: false,
    });
  });

  it("guild message without a mention → mentioned false; <@BOT> → true and stripped", async () => {
    const { got } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "just chatting");
    await fake.sendGroup(CHANNEL, { id: "8001" }, "what's up", { mention: true });
    await waitFor(() => got.length >= 2 || undefined);
    expect(got[0]).toMatchObject({ chat: { type: "group", id: CHANNEL }, text: "just chatting", mentioned: false });
    expect(got[1]).toMatchObject({ chat: { type: "group", id: CHANNEL }, text: "what's up", mentioned: true });
  });

  it("a thread message belongs to its parent channel (whose policy governs it) and carries the thread id", async () => {
    const { got } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "in a thread", { mention: true, threadId: "1500000000000000009" });
    const m = await waitFor(() => got[0]);
    expect(m.chat).toEqual({ type: "group", id: CHANNEL, threadId: "1500000000000000009" });
  });

  it("attack: a message in a thread the client has no record of still belongs to its parent channel (it was its own group, escaping the parent's allow/allowFrom/requireMention); control: announced threads are unchanged", async () => {
    const { got } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "in an unknown thread", { mention: true, threadId: "1500000000000000011", threadUnannounced: true });
    await fake.sendGroup(CHANNEL, { id: "8001" }, "in a known thread", { mention: true, threadId: "1500000000000000012" });
    await waitFor(() => got.length >= 2 || undefined);
    const byText = (t: string) => got.find((m) => m.text === t)!;
    expect(byText("in an unknown thread").chat).toEqual({ type: "group", id: CHANNEL, threadId: "1500000000000000011" });
    expect(byText("in a known thread").chat).toEqual({ type: "group", id: CHANNEL, threadId: "1500000000000000012" });
  });

  it("a sender spoofing the bot's mention in plain text of another user id is not a mention", async () => {
    const { got } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "<@1999999999999999999> hey you");
    const m = await waitFor(() => got[0]);
    expect(m.mentioned).toBe(false);
  });
});

describe("discord adapter: outbound", () => {
  it("sendText posts to the channel with every mention disabled, so model output cannot ping @everyone", async () => {
    const { adapter } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "hi", { mention: true });
    await adapter.sendText({ chatId: CHANNEL }, "@everyone look <@8001>");
    expect(fake.sent()).toEqual([{ chatId: CHANNEL, text: "@everyone look <@8001>" }]);
    expect(fake.posted[0]!.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });

  it("sendText to a thread goes to the thread", async () => {
    const { adapter, got } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "q", { mention: true, threadId: "1500000000000000010" });
    await waitFor(() => got[0]);
    await adapter.sendText({ chatId: CHANNEL, threadId: "1500000000000000010" }, "answer");
    expect(fake.sent()).toEqual([{ chatId: CHANNEL, threadId: "1500000000000000010", text: "answer" }]);
  });

  it("a user id as chatId (owner notifications) opens the DM channel and posts there", async () => {
    const { adapter } = await start();
    await adapter.sendText({ chatId: "5001" }, "a pairing request is waiting");
    expect(fake.requests.some((r) => r.method === "POST" && r.path === "/users/@me/channels" && (r.body as { recipient_id: string }).recipient_id === "5001")).toBe(true);
    expect(fake.sent()).toHaveLength(1);
    expect(fake.sent()[0]!.text).toBe("a pairing request is waiting");
  });

  it("sendTyping hits the typing endpoint", async () => {
    const { adapter } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "hi");
    await adapter.sendTyping!({ chatId: CHANNEL });
    expect(fake.requests.some((r) => r.method === "POST" && r.path === `/channels/${CHANNEL}/typing`)).toBe(true);
  });

  it("429 → ChannelSendError(429, retryAfterMs) without sleeping itself; the next send succeeds", async () => {
    const { adapter } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "hi");
    fake.failNextSends(1, 429, 2);
    const t = Date.now();
    const err = await adapter.sendText({ chatId: CHANNEL }, "x").catch((e: unknown) => e);
    expect(Date.now() - t).toBeLessThan(1500);
    expect(err).toBeInstanceOf(ChannelSendError);
    expect((err as ChannelSendError).status).toBe(429);
    expect((err as ChannelSendError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    await adapter.sendText({ chatId: CHANNEL }, "y");
    expect(fake.sent().map((s) => s.text)).toEqual(["y"]);
  });

  it("500 → ChannelSendError(500); an unknown channel → non-retryable error", async () => {
    const { adapter } = await start();
    await fake.sendGroup(CHANNEL, { id: "8001" }, "hi");
    fake.failNextSends(1, 500);
    const err = await adapter.sendText({ chatId: CHANNEL }, "x").catch((e: unknown) => e);
    expect((err as ChannelSendError).status).toBe(500);
    const err2 = await adapter.sendText({ chatId: "notasnowflake" }, "x").catch((e: unknown) => e as Error);
    expect(err2).toBeInstanceOf(Error);
    expect(String((err2 as Error).message)).not.toContain(TOKEN);
  });
});
