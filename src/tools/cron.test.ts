// The cron tool as an adapter: it names neither session nor recipient, never schedules from
// inside a job, and only sees the jobs of its own conversation.
import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { cronTool } from "./cron.js";
import type { AgentCronAccess, RunOrigin, ToolContext } from "./types.js";

function setup() {
  const added: Array<Parameters<AgentCronAccess["add"]>[0]> = [];
  const cron: AgentCronAccess = {
    add: (req) => {
      added.push(req);
      return { id: "abcd1234", schedule: "at 2026-05-01T10:20:00.000Z", nextRunAt: Date.parse("2026-05-01T10:20:00Z"), approval: "pending", deliver: req.deliver ? `${req.deliver.channel}:${req.deliver.peer}` : "nobody" };
    },
    list: (agentId, sessionKey) => (sessionKey === "agent:main:main" ? [{ id: "abcd1234", name: null, schedule: "every 1h", approval: "pending", enabled: true, nextRunAt: null, prompt: "stretch" }] : []),
    remove: (_a, sessionKey, id) => sessionKey === "agent:main:main" && id === "abcd1234",
  };
  const ctx = (origin: RunOrigin, sessionKey = "agent:main:main"): ToolContext =>
    ({ agentId: "main", sessionKey, workspace: "/ws", config: configSchema.parse({}), signal: new AbortController().signal, origin, sandbox: {} as never, notify: () => {}, services: { stateDir: "/s", approvals: {} as never, cron } }) as ToolContext;
  return { added, ctx };
}

const owner: RunOrigin = { kind: "channel", channel: "telegram", peer: "8101", owner: true };

describe("the cron tool", () => {
  it("adds a pending job that delivers back to whoever asked, in its own session (the model names neither)", async () => {
    const s = setup();
    const out = await cronTool.execute({ action: "add", prompt: "Remind the owner to stretch", in: "20m" }, s.ctx(owner));
    expect(out).toMatch(/PENDING.*simpleclaw cron approve abcd1234/);
    expect(s.added[0]).toMatchObject({ agentId: "main", sessionKey: "agent:main:main", schedule: { in: "20m" }, deliver: { channel: "telegram", peer: "8101", chat: "direct" } });
    expect(s.added[0]).not.toHaveProperty("targetSession");
    // the input schema refuses a recipient or a session from the model
    expect(cronTool.inputSchema.safeParse({ action: "add", prompt: "x", in: "1m", deliver: { channel: "telegram", peer: "666" } }).success).toBe(false);
    expect(cronTool.inputSchema.safeParse({ action: "add", prompt: "x", in: "1m", sessionKey: "agent:main:main" }).success).toBe(false);
    // an operator-started run: no delivery at all
    await cronTool.execute({ action: "add", prompt: "x", every: "1h" }, s.ctx({ kind: "operator" }));
    expect(s.added[1]!.deliver).toBeUndefined();
    // whether the asker speaks for the owner comes from the run's origin, never from the model
    expect(s.added.map((r) => r.askedByOwner)).toEqual([true, true]);
    await cronTool.execute({ action: "add", prompt: "x", every: "1h" }, s.ctx({ kind: "channel", channel: "telegram", peer: "5001", chat: "direct" }, "agent:main:telegram:direct:5001"));
    expect(s.added[2]!.askedByOwner).toBe(false);
  });

  it("attack: a job's own run cannot schedule further jobs; control: listing still works", async () => {
    const s = setup();
    await expect(cronTool.execute({ action: "add", prompt: "spawn more", every: "1m" }, s.ctx({ kind: "job", jobId: "j" }, "agent:main:cron:j"))).rejects.toThrow(/cannot create further jobs/);
    expect(s.added).toEqual([]);
    expect(await cronTool.execute({ action: "list" }, s.ctx({ kind: "job", jobId: "j" }, "agent:main:cron:j"))).toBe("No jobs were created in this conversation.");
  });

  it("lists and removes only this conversation's jobs", async () => {
    const s = setup();
    expect(await cronTool.execute({ action: "list" }, s.ctx(owner))).toMatch(/abcd1234 {2}every 1h {2}PENDING owner approval/);
    await expect(cronTool.execute({ action: "remove", id: "abcd1234" }, s.ctx(owner, "agent:main:telegram:direct:7202"))).rejects.toThrow(/no job "abcd1234"/);
    expect(await cronTool.execute({ action: "remove", id: "abcd1234" }, s.ctx(owner))).toBe("Removed job abcd1234.");
  });
});
