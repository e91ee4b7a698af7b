// Chat channels end to end: the real grammy / @slack/bolt / discord.js clients talk to
// local fakes of Telegram's Bot API, Slack's Web API + Socket Mode and Discord's REST +
// gateway, through a real gateway with the fake model behind it. Strangers are the
// attackers here: they must get a pairing code and nothing else.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PairingStore } from "../src/channels/pairing.js";
import type { ChannelFakeDriver } from "../src/channels/types.js";
import { startGateway } from "../src/gateway/start.js";
import { startFakeDiscord } from "./fakes/discord.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { postSignedEvent, startFakeSlack } from "./fakes/slack.js";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { startFakeTelegram } from "./fakes/telegram.js";
import { cleanupAll, onCleanup, randomToken, runCli, tempStateDir } from "./helpers/gateway.js";
import { waitFor, settle as settleFor } from "./helpers/wait.js";

afterEach(cleanupAll);

const TELEGRAM_TOKEN = "123456789:AAFakeTelegramTokenForTests_abcdefghij";
const SLACK_BOT = "xoxb-1111-2222-fakeslacktokenfortests";
const SLACK_APP = "xapp-1-A111-2222-fakeappleveltoken";
const DISCORD_TOKEN = "MTExMTExMTExMTExMTExMTEx.Fake.DiscordTokenForTestsOnly_abcdef";

interface Fixture {
  driver: ChannelFakeDriver;
  channelConfig: Record<string, unknown>;
  env: Record<string, string>;
  limit: number;
  token: string;
}

const CHANNELS: Record<string, () => Promise<Fixture>> = {
  telegram: async () => {
    const f = await startFakeTelegram({ token: TELEGRAM_TOKEN, botUsername: "claw_bot" });
    onCleanup(() => f.close());
    return { driver: f, channelConfig: { apiRoot: f.apiRoot }, env: { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN }, limit: 4096, token: TELEGRAM_TOKEN };
  },
  slack: async () => {
    const f = await startFakeSlack({ botToken: SLACK_BOT, appToken: SLACK_APP });
    onCleanup(() => f.close());
    return { driver: f, channelConfig: { apiUrl: f.apiUrl }, env: { SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP }, limit: 4000, token: SLACK_BOT };
  },
  discord: async () => {
    const f = await startFakeDiscord({ botToken: DISCORD_TOKEN });
    onCleanup(() => f.close());
    return { driver: f, channelConfig: { apiUrl: f.apiUrl }, env: { DISCORD_BOT_TOKEN: DISCORD_TOKEN }, limit: 2000, token: DISCORD_TOKEN };
  },
};

/** Two group/channel ids per platform, in the platform's own format: [allowed, unknown]. */
const GROUPS: Record<string, [string, string]> = {
  telegram: ["-1001234567890", "-1009876543210"],
  slack: ["C0AAAA1111", "C0BBBB2222"],
  discord: ["1400000000000000001", "1400000000000000002"],
};

const settle = () => settleFor(400);

for (const [name, make] of Object.entries(CHANNELS)) {
  describe(`${name} channel`, () => {
    async function boot(channel: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
      const fx = await make();
      const model = await startFakeModelServer({ apiKey: "sk-channel-model-0123456789" });
      onCleanup(() => model.close());
      const state = tempStateDir({
        gateway: { auth: { token: randomToken() } },
        agents: { defaults: { model: { primary: "fake/m" } } },
        models: { providers: { fake: { api: "openai-completions", baseUrl: model.url, apiKey: model.apiKey } } },
        channels: { [name]: { enabled: true, ...fx.channelConfig, ...channel } },
        ...extra,
      }, fx.env);
      const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
      onCleanup(() => gw.close());
      expect(gw.ctx.channels.status().find((c) => c.channel === name)).toMatchObject({ running: true });
      const pairing = new PairingStore(join(state.dir, "credentials"));
      return { ...fx, model, gw, dir: state.dir, env: state.env, pairing };
    }

    it("an unknown DM gets one code and is not processed; after approval the next message is answered", async () => {
      const s = await boot();
      const stranger = { id: "5001", name: "Mallory" };
      await s.driver.sendDirect(stranger, "hello, who are you?");
      const first = await waitFor(() => s.driver.sent()[0]);
      const code = /pairing code is ([A-Z2-9]{8})/.exec(first.text)?.[1];
      expect(code).toBeTruthy();
      await s.driver.sendDirect(stranger, "hello again");
      await s.driver.sendDirect(stranger, code!); // a sender reciting its own code approves nothing
      await settle();
      expect(s.driver.sent()).toHaveLength(1);
      expect(s.model.requests).toHaveLength(0);
      expect(s.gw.ctx.store.list()).toEqual([]);

      const approve = await runCli(["pairing", "approve", name, code!.toLowerCase()], s.env);
      expect(approve.code).toBe(0);
      expect(approve.stdout).toMatch(/as the owner/);
      await s.driver.sendDirect(stranger, "now can we talk?");
      const reply = await waitFor(() => s.driver.sent()[1]);
      expect(reply.text).toBe("echo: now can we talk?");
      expect(s.gw.ctx.store.list().map((x) => x.key)).toEqual(["agent:main:main"]);
    });

    it("a second approved sender gets a session of their own: never the owner's main session or history", async () => {
      const s = await boot();
      const approveNext = async (who: { id: string; name?: string }) => {
        const before = s.driver.sent().length;
        await s.driver.sendDirect(who, "hi");
        const msg = await waitFor(() => s.driver.sent().slice(before).find((m) => /pairing code is/.test(m.text)));
        const code = /pairing code is ([A-Z2-9]{8})/.exec(msg.text)![1]!;
        return runCli(["pairing", "approve", name, code], s.env);
      };
      const owner = await approveNext({ id: "8101", name: "Owner" });
      expect(owner.stdout).toMatch(/as the owner/);
      expect(owner.stdout).toMatch(/main session \(agent:main:main\)/);
      const guestApproval = await approveNext({ id: "8202", name: "Guest" });
      expect(guestApproval.code).toBe(0);
      expect(guestApproval.stdout).not.toMatch(/as the owner/);
      expect(guestApproval.stdout).toContain(`session of their own (agent:main:${name}:direct:8202)`);

      // control: the owner's DM lands in the main session
      const sentBefore = s.driver.sent().length;
      await s.driver.sendDirect({ id: "8101" }, "owner secret: the vault code is 4711");
      await waitFor(() => s.driver.sent().slice(sentBefore).find((m) => m.text === "echo: owner secret: the vault code is 4711"));
      await s.driver.sendDirect({ id: "8202" }, "guest here, what did the owner say?");
      await waitFor(() => s.driver.sent().find((m) => m.text === "echo: guest here, what did the owner say?"));

      const keys = s.gw.ctx.store.list().map((x) => x.key).sort();
      expect(keys).toEqual(["agent:main:main", `agent:main:${name}:direct:8202`].sort());
      // The guest's model request carries none of the owner's words, and the owner's history none of the guest's.
      const guestReq = s.model.requests.find((r) => r.lastUserText === "guest here, what did the owner say?")!;
      expect(JSON.stringify(guestReq.body)).not.toContain("vault code");
      expect(JSON.stringify(s.gw.ctx.store.history("agent:main:main"))).not.toContain("guest here");
    });

    it("dmPolicy allowlist admits exactly allowFrom: a pairing-approved sender is dropped, a listed one answered", async () => {
      const s = await boot({ dmPolicy: "allowlist", allowFrom: ["7101"] });
      // An approval left over from an earlier pairing setup.
      s.pairing.saveRequests(name, [{ code: "ABCDEFGH", senderId: "7102", createdAt: Date.now(), expiresAt: Date.now() + 60_000 }]);
      expect(s.pairing.approve(name, "ABCDEFGH", { ownerIfFirst: true })).toBeTruthy();
      await s.driver.sendDirect({ id: "7102" }, "I was approved once");
      await s.driver.sendDirect({ id: "7101" }, "listed sender");
      await waitFor(() => s.driver.sent().find((m) => m.text === "echo: listed sender"));
      await settle();
      expect(s.driver.sent()).toHaveLength(1);
      expect(s.model.requests.map((r) => r.lastUserText)).toEqual(["listed sender"]);
    });

    it("the configured owner is told about a pairing request by DM; only the owner may use /status", async () => {
      const s = await boot({ owners: ["4001"], allowFrom: ["4002"] });
      // Telegram bots cannot open a chat with a user who never wrote to them: the owner says hi first.
      await s.driver.sendDirect({ id: "4001" }, "/help");
      await waitFor(() => s.driver.sent()[0]);
      await s.driver.sendDirect({ id: "5002", name: "Eve" }, "let me in");
      const notice = await waitFor(() => s.driver.sent().find((m) => /Pairing request/.test(m.text)));
      const code = /pairing approve \S+ ([A-Z2-9]{8})/.exec(notice.text)?.[1];
      expect(code).toBeTruthy();
      expect(notice.text).toContain("5002");
      // The stranger got the code in their own DM, the owner's notice went elsewhere.
      const toStranger = s.driver.sent().find((m) => /Your pairing code/.test(m.text))!;
      expect(toStranger.chatId).not.toBe(notice.chatId);

      await s.driver.sendDirect({ id: "4002" }, "/status");
      await waitFor(() => s.driver.sent().find((m) => /Only the owner/.test(m.text)));
      await s.driver.sendDirect({ id: "4001" }, "/status");
      const status = await waitFor(() => s.driver.sent().find((m) => /model/i.test(m.text) && !/Only the owner/.test(m.text)));
      expect(status.chatId).not.toBe(toStranger.chatId);
      expect(s.model.requests).toHaveLength(0);
    });

    it("the owner gets an exec approval prompt in their DM and answers it there; the command runs once approved", async () => {
      const s = await boot({ owners: ["4001"] }, { agents: { defaults: { model: { primary: "fake/m" }, sandbox: { mode: "off" } } } });
      s.model.script({ toolCalls: [{ name: "exec", input: { command: "touch approved-from-chat" } }] }, (req) => ({ text: `done: ${req.toolResults.at(-1)?.content ?? ""}` }));
      await s.driver.sendDirect({ id: "4001" }, "please make the file");
      const prompt = await waitFor(() => s.driver.sent().find((m) => /Approval needed/.test(m.text)));
      expect(shown(name, prompt)).toContain("touch approved-from-chat");
      const id = /\/approve (\S+)/.exec(shown(name, prompt))?.[1];
      expect(id).toBeTruthy();
      await s.driver.sendDirect({ id: "4001" }, `/approve ${id}`);
      const done = await waitFor(() => s.driver.sent().find((m) => m.text.startsWith("done:")));
      expect(done.text).toMatch(/exit code 0/);
      const ws = join(s.dir, "workspace");
      expect(existsSync(join(ws, "approved-from-chat"))).toBe(true);
    });

    it("the approval prompt shows the command as it is, never as markup (Discord/Slack would hide *, _, ~, \\ and <url|label>)", async () => {
      const s = await boot({ owners: ["4001"] }, { agents: { defaults: { model: { primary: "fake/m" }, sandbox: { mode: "off" } } } });
      // `rm *tmp*` rendered as Markdown reads "rm tmp" (italic); <https://x|notes> reads "notes"
      const command = "touch x; rm -f *tmp* _a_ ~b~ a\\*c '<https://e.example/|notes.txt>' '[x](https://e.example)' '<@U1>' :x: '# h'";
      s.model.script({ toolCalls: [{ name: "exec", input: { command } }] }, (req) => ({ text: `done: ${req.toolResults.at(-1)?.content ?? ""}` }));
      await s.driver.sendDirect({ id: "4001" }, "please");
      const prompt = await waitFor(() => s.driver.sent().find((m) => /Approval needed/.test(m.text)));
      const seen = shown(name, prompt);
      expect(seen).toContain(command);
      const id = /\/approve (\S+)/.exec(seen)?.[1];
      await s.driver.sendDirect({ id: "4001" }, `/deny ${id}`);
      await waitFor(() => s.driver.sent().find((m) => m.text.startsWith("done:")));
    });

    it("at most 3 pending requests: a 4th stranger gets nothing", async () => {
      const s = await boot();
      for (const id of ["61", "62", "63", "64"]) await s.driver.sendDirect({ id }, "hi");
      await waitFor(() => s.driver.sent().length >= 3 || undefined);
      await settle();
      expect(s.driver.sent()).toHaveLength(3);
      expect(s.pairing.requests(name).map((r) => r.senderId).sort()).toEqual(["61", "62", "63"]);
    });

    it("a queue held full by throwaway accounts: the operator is told, the owner still gets through, and pairing clear frees it", async () => {
      const s = await boot({ owners: ["4001"] });
      await s.driver.sendDirect({ id: "4001" }, "/help"); // the owner opens the DM (Telegram needs that)
      await waitFor(() => s.driver.sent()[0]);
      const codes = () => s.driver.sent().filter((m) => /Your pairing code/.test(m.text));
      for (const id of ["71", "72", "73"]) await s.driver.sendDirect({ id }, "hi");
      await waitFor(() => codes().length >= 3 || undefined);

      // The attack's effect: a new sender gets no code …
      await s.driver.sendDirect({ id: "74", name: "Real Person" }, "hello?");
      await s.driver.sendDirect({ id: "75" }, "hello?");
      const notice = await waitFor(() => s.driver.sent().find((m) => /pairing queue on \S+ is full/.test(m.text)));
      await settle();
      expect(codes()).toHaveLength(3);
      // … and the operator is told: one DM to the owner (not one per stranger), a log line, pairing list, pairing.list.
      expect(notice.text).toContain(`simpleclaw pairing clear ${name}`);
      expect(s.driver.sent().filter((m) => /pairing queue on \S+ is full/.test(m.text))).toHaveLength(1);
      const logs = readdirSync(join(s.dir, "logs")).map((f) => readFileSync(join(s.dir, "logs", f), "utf8")).join("\n");
      expect(logs).toMatch(new RegExp(`pairing queue full on ${name}: a new sender got no code`));
      const list = await runCli(["pairing", "list", name], s.env);
      expect(list.stdout).toMatch(new RegExp(`QUEUE FULL \\(3 of 3 pending\\): new senders get no code; 2 new sender\\(s\\) got no code.*simpleclaw pairing clear ${name}`));

      // The owner (listed in owners) is never held up by the queue.
      await s.driver.sendDirect({ id: "4001" }, "still me");
      await waitFor(() => s.driver.sent().find((m) => m.text === "echo: still me"));

      // One command clears it; the next new sender gets a code again.
      const clear = await runCli(["pairing", "clear", name], s.env);
      expect(clear.code, clear.stderr).toBe(0);
      expect(clear.stdout).toMatch(new RegExp(`Cleared 3 pending request\\(s\\) on ${name}`));
      expect((await runCli(["pairing", "list", name], s.env)).stdout).not.toMatch(/QUEUE FULL/);
      await s.driver.sendDirect({ id: "74", name: "Real Person" }, "hello again");
      await waitFor(() => (codes().length >= 4 ? true : undefined));
      expect(s.pairing.requests(name).map((r) => r.senderId)).toEqual(["74"]);
    });

    it("allowlist mode drops unlisted senders silently and answers listed ones", async () => {
      const s = await boot({ dmPolicy: "allowlist", allowFrom: ["7001"] });
      await s.driver.sendDirect({ id: "7002" }, "let me in");
      await s.driver.sendDirect({ id: "7001" }, "it's me");
      const reply = await waitFor(() => s.driver.sent()[0]);
      expect(reply.text).toBe("echo: it's me");
      await settle();
      expect(s.driver.sent()).toHaveLength(1);
      expect(s.model.requests).toHaveLength(1);
    });

    it("groups: unknown groups and unmentioned messages are ignored; a mention in an allowed group is answered there", async () => {
      const [allowed, unknown] = GROUPS[name]!;
      const s = await boot({ groups: { [allowed]: { requireMention: true } } });
      await s.driver.sendGroup(unknown, { id: "8001" }, "anyone?", { mention: true });
      await s.driver.sendGroup(allowed, { id: "8001" }, "just chatting");
      await settle();
      expect(s.driver.sent()).toHaveLength(0);
      await s.driver.sendGroup(allowed, { id: "8001" }, "what's up", { mention: true });
      const reply = await waitFor(() => s.driver.sent()[0]);
      expect(reply.chatId).toBe(allowed);
      expect(reply.text).toBe("echo: what's up");
      expect(s.gw.ctx.store.list().map((x) => x.key)).toEqual([`agent:main:${name}:group:${allowed}`]);
    });

    it(`a long reply is split under ${name}'s limit without breaking code blocks`, async () => {
      const s = await boot({ dmPolicy: "allowlist", allowFrom: ["9001"] });
      const code = "```\n" + "x = 1\n".repeat(50) + "```";
      const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ${"lorem ipsum ".repeat(20)}`).join("\n\n") + "\n\n" + code;
      s.model.script({ text: long });
      await s.driver.sendDirect({ id: "9001" }, "write a lot");
      await waitFor(() => s.driver.sent().some((m) => m.text.includes("x = 1")) || undefined);
      await settle();
      const parts = s.driver.sent().map((m) => m.text);
      expect(parts.length).toBeGreaterThan(1);
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(s.limit);
        expect((p.match(/```/g) ?? []).length % 2).toBe(0);
      }
      expect(parts.join("\n\n").replace(/\s+/g, " ")).toBe(long.replace(/\s+/g, " "));
    });

    it("retries a rate-limited send and still delivers", async () => {
      const s = await boot({ dmPolicy: "allowlist", allowFrom: ["9101"] });
      s.driver.failNextSends(1, 429, 1);
      await s.driver.sendDirect({ id: "9101" }, "ping");
      const reply = await waitFor(() => s.driver.sent()[0], 10_000);
      expect(reply.text).toBe("echo: ping");
    });

    it("the bot token never reaches the logs", async () => {
      const s = await boot();
      await s.driver.sendDirect({ id: "9201" }, "hi");
      await waitFor(() => s.driver.sent()[0]);
      await s.gw.close();
      const logs = join(s.dir, "logs");
      const text = readdirSync(logs).map((f) => readFileSync(join(logs, f), "utf8")).join("\n");
      expect(text).toContain("connected");
      expect(text).not.toContain(s.token);
    });
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("slack over HTTP events", () => {
  it("mode http answers a correctly signed event and ignores a forged one", async () => {
    const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    const f = await startFakeSlack({ botToken: SLACK_BOT, appToken: SLACK_APP });
    onCleanup(() => f.close());
    const model = await startFakeModelServer({ apiKey: "sk-channel-model-0123456789" });
    onCleanup(() => model.close());
    const httpPort = await freePort();
    const state = tempStateDir(
      {
        gateway: { auth: { token: randomToken() } },
        agents: { defaults: { model: { primary: "fake/m" } } },
        models: { providers: { fake: { api: "openai-completions", baseUrl: model.url, apiKey: model.apiKey } } },
        channels: { slack: { enabled: true, apiUrl: f.apiUrl, mode: "http", httpPort, dmPolicy: "allowlist", allowFrom: ["U77"] } },
      },
      { SLACK_BOT_TOKEN: SLACK_BOT, SLACK_SIGNING_SECRET: SECRET },
    );
    const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    const url = `http://127.0.0.1:${httpPort}/slack/events`;
    const forged = await postSignedEvent(url, "not-the-secret", f.eventCallback(f.directEvent({ id: "U77" }, "forged")));
    expect(forged.status).toBe(401);
    const ok = await postSignedEvent(url, SECRET, f.eventCallback(f.directEvent({ id: "U77" }, "hello over http")));
    expect(ok.status).toBe(200);
    const reply = await waitFor(() => f.sent()[0]);
    expect(reply.text).toBe("echo: hello over http");
    await settle();
    expect(f.sent()).toHaveLength(1);
    expect(f.connections()).toBe(0);
    // Loopback only by default: the events port is not reachable on the machine's LAN address.
    const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
    if (lan) {
      const err = await fetch(`http://${lan.address}:${httpPort}/slack/events`, { method: "POST", signal: AbortSignal.timeout(2000) }).then(() => null, (e: unknown) => e);
      expect(err).toBeTruthy();
    }
  });
});

describe("channel config", () => {
  it("dmPolicy open without \"*\" is refused at start with the key path (exit 78)", async () => {
    const state = tempStateDir({ gateway: { auth: { token: randomToken() } }, channels: { telegram: { enabled: true, dmPolicy: "open" } } });
    const r = await runCli(["gateway"], state.env);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/channels\.telegram\.allowFrom/);
  });

  it("channels add stores the token in credentials/ (600), not in simpleclaw.json", async () => {
    const state = tempStateDir({});
    const r = await runCli(["channels", "add", "telegram", "--token", TELEGRAM_TOKEN], state.env);
    expect(r.code).toBe(0);
    expect(readFileSync(join(state.dir, "simpleclaw.json"), "utf8")).not.toContain(TELEGRAM_TOKEN);
    expect(JSON.parse(readFileSync(join(state.dir, "credentials", "telegram.json"), "utf8")).botToken).toBe(TELEGRAM_TOKEN);
    const list = await runCli(["channels", "list"], state.env);
    expect(list.stdout).toMatch(/telegram: enabled, credentials present/);
    const bad = await runCli(["channels", "add", "telegram", "--token", "nonsense"], state.env);
    expect(bad.code).toBe(2);
  });
});

/**
 * What the owner reads in the platform's client, for text that must be shown literally (an
 * approval prompt), or an error naming what the client would format instead of showing.
 * Telegram: sent without parse_mode. Discord: Markdown, where a backslash before punctuation
 * shows that character. Slack: mrkdwn must be off, and <, >, & are always control characters.
 */
function shown(channel: string, m: { text: string; plain?: boolean }): string {
  if (channel === "telegram") return m.text;
  if (channel === "discord") {
    let out = "";
    for (let i = 0; i < m.text.length; i++) {
      const c = m.text[i]!;
      if (c === "\\" && /[!-\/:-@[-`{-~]/.test(m.text[i + 1] ?? "")) out += m.text[++i];
      else if (/[*_~|`>#[\]()<:@\\-]/.test(c)) throw new Error(`Discord would read ${JSON.stringify(c)} at ${i} as markup: ${m.text}`);
      else out += c;
    }
    return out;
  }
  if (m.plain !== true) throw new Error(`Slack formats this text (mrkdwn on): ${m.text}`);
  if (/[<>]/.test(m.text)) throw new Error(`Slack reads < > as links or mentions: ${m.text}`);
  return m.text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
