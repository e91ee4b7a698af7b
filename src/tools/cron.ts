// The `cron` tool (group "automation", docs/cron.md): the agent schedules a job — "remind me
// in 20 minutes" — lists or removes the jobs its session created. Every job it adds is
// pending until the owner approves it (security/cron-policy.ts initialApproval); it runs in
// its own session, and its reply can only go back to the chat sender who asked
// (agentJobDelivery): the model names neither the session nor the recipient.
import { z } from "zod";
import { agentJobDelivery } from "../security/cron-policy.js";
import { originIsOwner, originMayScheduleJobs } from "../security/principal.js";
import { ToolError } from "../infra/errors.js";
import { type ToolDef } from "./types.js";

const input = z.strictObject({
  action: z.enum(["add", "list", "remove"]).describe('"add" schedules a job, "list" shows the jobs you created here, "remove" deletes one of them.'),
  prompt: z.string().min(1).max(4000).optional().describe("add: what you will be asked to do when the job runs, e.g. \"Remind the user to call the dentist.\""),
  name: z.string().max(80).optional(),
  in: z.string().max(32).optional().describe('add, one shot: a delay such as "20m", "2h", "1h30m"'),
  at: z.string().max(40).optional().describe('add, one shot: an ISO time with zone, e.g. "2026-12-24T18:00:00+01:00"'),
  every: z.string().max(32).optional().describe('add, repeating: an interval such as "30m" or "1d" (at least 1m)'),
  cron: z.string().max(120).optional().describe('add, repeating: a cron expression, e.g. "0 9 * * 1-5"'),
  tz: z.string().max(64).optional().describe('with cron: an IANA time zone, e.g. "Europe/Berlin"'),
  id: z.string().max(64).optional().describe("remove: the job id"),
});
type Input = z.output<typeof input>;

const when = (t: number | null) => (t === null ? "not scheduled" : new Date(t).toISOString());

export const cronTool: ToolDef<Input> = {
  name: "cron",
  group: "automation",
  description:
    "Schedule a job: a prompt you will run later, once (in/at) or repeatedly (every/cron), e.g. a reminder. The owner must approve each job before it runs; its reply goes back to whoever asked. Also lists and removes the jobs created in this conversation.",
  inputSchema: input,
  async execute(args, ctx) {
    const cron = ctx.services?.cron;
    if (!cron) throw new ToolError("scheduled jobs are unavailable here (cron.enabled is false, or no gateway).");
    if (args.action === "list") {
      const jobs = cron.list(ctx.agentId, ctx.sessionKey);
      if (!jobs.length) return "No jobs were created in this conversation.";
      return jobs.map((j) => `${j.id}  ${j.schedule}  ${j.approval === "pending" ? "PENDING owner approval" : j.enabled ? `next ${when(j.nextRunAt)}` : "disabled/done"}${j.name ? `  "${j.name}"` : ""}\n    ${j.prompt.slice(0, 200)}`).join("\n");
    }
    if (args.action === "remove") {
      if (!args.id) throw new ToolError('remove needs "id".');
      if (!cron.remove(ctx.agentId, ctx.sessionKey, args.id)) throw new ToolError(`no job "${args.id}" was created in this conversation.`);
      return `Removed job ${args.id}.`;
    }
    if (!originMayScheduleJobs(ctx.origin)) throw new ToolError("a scheduled job cannot create further jobs.");
    if (!args.prompt) throw new ToolError('add needs "prompt" (what to do when the job runs).');
    const deliver = agentJobDelivery(ctx.origin);
    try {
      const job = cron.add({
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        prompt: args.prompt,
        ...(args.name ? { name: args.name } : {}),
        schedule: { cron: args.cron, tz: args.tz, at: args.at, in: args.in, every: args.every },
        ...(deliver ? { deliver } : {}),
        askedByOwner: originIsOwner(ctx.origin),
      });
      return `Created job ${job.id} (${job.schedule}; first run ${when(job.nextRunAt)}). It is PENDING: it runs only after the owner approves it (simpleclaw cron approve ${job.id}, the Control UI, or /cron approve ${job.id} in chat). Its reply goes to ${job.deliver}.`;
    } catch (err) {
      throw new ToolError(err instanceof Error ? err.message : String(err));
    }
  },
};
