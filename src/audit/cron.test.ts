// Audit family "cron": each finding beside its clean control.
import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { auditCron } from "./cron.js";
import type { AuditInput } from "./types.js";

const S = "/home/u/.simpleclaw";
type Job = NonNullable<AuditInput["cronJobs"]>[number];

function input(raw: Record<string, unknown>, jobs: Job[], approvedSenders: AuditInput["approvedSenders"] = {}): AuditInput {
  return {
    platform: "linux",
    nodeVersion: "22.20.0",
    home: "/home/u",
    env: {},
    paths: { stateDir: S, config: `${S}/simpleclaw.json`, credentials: `${S}/credentials`, logs: `${S}/logs`, stateDb: `${S}/state.db`, execApprovals: `${S}/exec-approvals.json`, plugins: `${S}/plugins`, tlsKeys: [] },
    configExists: true,
    raw,
    config: configSchema.parse(raw),
    stat: {},
    credentialsFiles: [],
    logFiles: [],
    stateDbFiles: [],
    workspaces: [],
    workspaceFiles: [],
    plugins: [],
    sandboxBackends: {},
    approvedSenders,
    cronJobs: jobs,
  };
}

const job = (over: Partial<Job> = {}): Job => ({ id: "j1", agentId: "main", sessionKey: "agent:main:cron:j1", deliver: null, createdBy: "operator", approval: "approved", enabled: true, ...over });
const tg = { channels: { telegram: { enabled: true, owners: ["1"], groups: { "-100": {} } } } };
const ids = (f: ReturnType<typeof auditCron>) => f.map((x) => `${x.checkId}:${x.severity}`);

describe("audit: scheduled jobs", () => {
  it("a clean setup (operator job, own session, delivering to the owner) reports nothing", () => {
    expect(auditCron(input(tg, [job({ deliver: { channel: "telegram", peer: "1" } })]))).toEqual([]);
  });

  it("jobs the agent created: pending ones warn, approved ones are listed as info", () => {
    const f = auditCron(input({}, [job({ id: "a1", createdBy: "agent", approval: "pending" }), job({ id: "a2", createdBy: "agent" })]));
    expect(ids(f)).toEqual(["cron.agent_created_pending:warn", "cron.agent_created:info"]);
    expect(f[0]!.detail).toContain("a1");
  });

  it("a job delivering into a group, to a non-owner, or to someone no longer admitted", () => {
    const f = auditCron(
      input(tg, [
        job({ id: "g", deliver: { channel: "telegram", peer: "-100", chat: "group" } }),
        job({ id: "n", deliver: { channel: "telegram", peer: "2" } }),
        job({ id: "x", deliver: { channel: "telegram", peer: "666" } }),
      ], { telegram: { ids: ["2"], owners: [] } }),
    );
    expect(ids(f)).toEqual(["cron.delivery_group:warn", "cron.delivery_non_owner:warn", "cron.delivery_not_admitted:warn"]);
    // control: a disabled job with the same target is not reported
    expect(auditCron(input(tg, [job({ enabled: false, deliver: { channel: "telegram", peer: "666" } })]))).toEqual([]);
  });

  it("a job in the main session, or with the sandbox off, while exec is on; control: exec off or its own sandboxed session", () => {
    expect(ids(auditCron(input({}, [job({ sessionKey: "agent:main:main" })])))).toEqual(["cron.unsandboxed_exec:warn"]);
    expect(ids(auditCron(input({ agents: { defaults: { sandbox: { mode: "off" } } } }, [job()])))).toEqual(["cron.unsandboxed_exec:warn"]);
    expect(auditCron(input({ tools: { exec: { enabled: false } } }, [job({ sessionKey: "agent:main:main" })]))).toEqual([]);
    expect(auditCron(input({}, [job()]))).toEqual([]);
  });

  it("heartbeats are checked like jobs", () => {
    const f = auditCron(input(tg, [job({ id: "heartbeat-main", sessionKey: "agent:main:heartbeat", heartbeat: true, deliver: { channel: "telegram", peer: "-100", chat: "group" } })]));
    expect(f[0]).toMatchObject({ checkId: "cron.delivery_group", detail: expect.stringContaining("heartbeat of agent main") });
  });
});
