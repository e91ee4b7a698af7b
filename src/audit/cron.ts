// Audit family "cron" (docs/cron.md): scheduled jobs that widen what runs without the owner
// at the keyboard — jobs the agent created, jobs that deliver to groups or to people other
// than the owner (or to someone the channel no longer admits), and jobs whose session runs
// unsandboxed while exec is on. The delivery verdict is security/cron-policy.ts's, the
// sandbox verdict security/sandbox-scope.ts's: the same rules the scheduler applies.
import { channelConfig } from "../config/channels.js";
import { deliveryDecision } from "../security/cron-policy.js";
import { effectiveSandbox } from "../security/sandbox-scope.js";
import { agentTools } from "./exposure.js";
import { finding, type AuditInput, type CheckDef, type CheckFamily, type Finding } from "./types.js";

const c = {
  agentPending: {
    id: "cron.agent_created_pending",
    severity: ["warn"],
    fixable: false,
    title: "Jobs the agent created wait for your approval",
    meaning: "The agent's cron tool created scheduled jobs that have not been approved. They never run until you approve them, but the model wrote their prompt — read it before approving.",
    remedy: "`simpleclaw cron list`, then `simpleclaw cron approve <id>` or `simpleclaw cron reject <id>`.",
  },
  agentApproved: {
    id: "cron.agent_created",
    severity: ["info"],
    fixable: false,
    title: "Approved jobs the agent created",
    meaning: "Scheduled jobs created by the agent and approved: they run on their own schedule with a prompt the model wrote.",
    remedy: "Review them with `simpleclaw cron list`; remove the ones you no longer want (`simpleclaw cron rm <id>`).",
  },
  group: {
    id: "cron.delivery_group",
    severity: ["warn"],
    fixable: false,
    title: "A job delivers into a group chat",
    meaning: "A scheduled job (or heartbeat) sends its reply to a group: everyone in that group reads what the agent writes on its own schedule, including anything it read in its session.",
    remedy: "Deliver to your own DM instead (`simpleclaw cron edit <id> --channel <ch> --to <your id>`), or stop delivering (`--no-deliver`).",
  },
  nonOwner: {
    id: "cron.delivery_non_owner",
    severity: ["warn"],
    fixable: false,
    title: "A job delivers to someone other than the owner",
    meaning: "A scheduled job (or heartbeat) sends its reply to a DM sender who is not the channel's owner. The channel admits them, but they hear the agent without having asked.",
    remedy: "Check that this person should get the job's output; otherwise edit or remove the job.",
  },
  notAdmitted: {
    id: "cron.delivery_not_admitted",
    severity: ["warn"],
    fixable: false,
    title: "A job delivers to a recipient the channel no longer admits",
    meaning: "A scheduled job's delivery target is not admitted by the channel's access rules any more (revoked, channel disabled, group removed). Every delivery is refused and recorded in the run history.",
    remedy: "Edit the job's delivery (`simpleclaw cron edit <id> …` or `--no-deliver`) or remove it.",
  },
  unsandboxed: {
    id: "cron.unsandboxed_exec",
    severity: ["warn"],
    fixable: false,
    title: "A job runs unsandboxed with exec enabled",
    meaning: "A scheduled job's session does not run in the sandbox (it uses the main session, or sandbox.mode is \"off\") while the exec tool is on: commands it asks for run on the host with nobody at the keyboard (exec approvals still apply).",
    remedy: "Let the job use its own session (the default, sandboxed under sandbox.mode \"non-main\"), set sandbox.mode \"non-main\" or \"all\", or deny exec for that agent.",
  },
  unreadable: {
    id: "cron.state_unreadable",
    severity: ["warn"],
    fixable: false,
    title: "Scheduled jobs could not be read",
    meaning: "The audit could not read the scheduled jobs from state.db, so the cron checks did not run.",
    remedy: "Check state.db's permissions and run `simpleclaw doctor`.",
  },
} satisfies Record<string, CheckDef>;

export const cronChecks: readonly CheckDef[] = Object.values(c);

export function auditCron(input: AuditInput): Finding[] {
  const out: Finding[] = [];
  if (input.cronError) out.push(finding(c.unreadable, { detail: `state.db could not be read: ${input.cronError}.`, evidence: input.paths.stateDb }));
  const jobs = input.cronJobs ?? [];
  const label = (j: (typeof jobs)[number]) => (j.heartbeat ? `heartbeat of agent ${j.agentId}` : `job ${j.id}`);

  const pending = jobs.filter((j) => j.createdBy === "agent" && j.approval === "pending");
  if (pending.length) out.push(finding(c.agentPending, { detail: `${pending.length} job(s) created by the agent wait for approval: ${pending.map((j) => j.id).join(", ")}.`, evidence: pending.map((j) => `${j.id} (agent ${j.agentId})`).join(", ") }));
  const approved = jobs.filter((j) => j.createdBy === "agent" && j.approval === "approved");
  if (approved.length) out.push(finding(c.agentApproved, { detail: `${approved.length} approved job(s) were created by the agent: ${approved.map((j) => j.id).join(", ")}.`, evidence: approved.map((j) => `${j.id} (agent ${j.agentId})`).join(", ") }));

  for (const j of jobs) {
    const active = j.enabled;
    if (j.deliver && active) {
      const t = j.deliver;
      const senders = Object.hasOwn(input.approvedSenders, t.channel) ? input.approvedSenders[t.channel]! : { ids: [], owners: [] };
      const d = deliveryDecision(t, channelConfig(input.config, t.channel), { approved: new Set(senders.ids), approvedOwners: new Set(senders.owners) });
      const where = `${t.channel}:${t.chat === "group" ? "group:" : ""}${t.peer}`;
      if (!d.allowed) out.push(finding(c.notAdmitted, { detail: `The ${label(j)} delivers to ${where}, which is refused: ${d.reason}.`, evidence: `${j.id} → ${where}` }));
      else if (t.chat === "group") out.push(finding(c.group, { detail: `The ${label(j)} delivers into group ${where}.`, evidence: `${j.id} → ${where}` }));
      else if (!d.owner) out.push(finding(c.nonOwner, { detail: `The ${label(j)} delivers to ${where}, who is not the ${t.channel} owner.`, evidence: `${j.id} → ${where}` }));
    }
    const agent = input.config.agents.list.find((a) => a.id === j.agentId);
    if (agent && active) {
      const sb = effectiveSandbox(input.config, agent, j.sessionKey);
      if (!sb.required && agentTools(input.config, agent).exec) {
        out.push(finding(c.unsandboxed, { detail: `The ${label(j)} runs in session ${j.sessionKey} without the sandbox (sandbox.mode ${sb.mode}) while exec is enabled for agent ${agent.id}.`, evidence: `${j.id}: session ${j.sessionKey}, sandbox.mode=${sb.mode}, exec on` }));
      }
    }
  }
  return out;
}

export const cronFamily: CheckFamily = { name: "cron", checks: cronChecks, run: auditCron };
