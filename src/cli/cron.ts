// `simpleclaw cron add|list|edit|rm|enable|disable|run|runs|approve|reject`: scheduled jobs
// (docs/cron.md) through the running gateway, which owns the scheduler. Jobs added here are
// the operator's (approved at once); jobs the agent created wait for `cron approve`.
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

const actions = () => import("./cron-actions.js");

function scheduleOptions(cmd: Command): Command {
  return cmd
    .option("--cron <expr>", 'cron expression, e.g. "0 9 * * 1-5" (09:00 on weekdays)')
    .option("--tz <zone>", "IANA time zone for --cron, e.g. Europe/Berlin (default: the gateway's)")
    .option("--at <time>", "run once at an ISO time with zone, e.g. 2026-12-24T18:00:00+01:00")
    .option("--in <duration>", 'run once after a delay, e.g. "20m", "1h30m"')
    .option("--every <duration>", 'run repeatedly, e.g. "30m", "6h" (at least 1m)');
}

function targetOptions(cmd: Command): Command {
  return cmd
    .option("--channel <id>", "deliver the reply on this channel (e.g. telegram)")
    .option("--to <peer>", "the sender id (or, with --group, the group id) to deliver to; only the owner or a sender/group the channel admits")
    .option("--group", "--to names a group chat");
}

export function registerCronCommands(program: Command): void {
  const cron = program.command("cron").description("scheduled jobs: the assistant acting on a schedule (docs/cron.md)");
  clientOptions(cron.command("list").description("list jobs: schedule, next run, pending approvals").option("--json", "print JSON")).action(async (opts) => (await actions()).cronList(opts));
  clientOptions(
    targetOptions(
      scheduleOptions(
        cron
          .command("add")
          .description("add a job (give one schedule: --cron, --at, --in or --every)")
          .requiredOption("--prompt <text>", "what the agent is asked when the job runs")
          .option("--name <name>", "a name to recognise it by")
          .option("--agent <id>", "the agent that runs it (default: the default agent)")
          .option("--session <key>", "run in this session (default: the job's own agent:<id>:cron:<jobId>, sandboxed under non-main)")
          .option("--disabled", "add it disabled")
          .option("--json", "print JSON"),
      ),
    ),
  ).action(async (opts) => (await actions()).cronAdd(opts));
  clientOptions(
    targetOptions(
      scheduleOptions(
        cron
          .command("edit <id>")
          .description("change a job's prompt, schedule, session or delivery")
          .option("--prompt <text>", "new prompt")
          .option("--name <name>", "new name")
          .option("--session <key>", "new session key")
          .option("--no-deliver", "stop delivering the reply anywhere")
          .option("--json", "print JSON"),
      ),
    ),
  ).action(async (id: string, opts) => (await actions()).cronEdit(id, opts));
  clientOptions(cron.command("rm <id>").description("remove a job and its history")).action(async (id: string, opts) => (await actions()).cronSimple("cron.remove", id, opts));
  clientOptions(cron.command("enable <id>").description("let a job run on its schedule again")).action(async (id: string, opts) => (await actions()).cronSimple("cron.enable", id, opts));
  clientOptions(cron.command("disable <id>").description("stop a job from running (it stays listed)")).action(async (id: string, opts) => (await actions()).cronSimple("cron.disable", id, opts));
  clientOptions(cron.command("run <id>").description("run a job now, outside its schedule (never a pending one)")).action(async (id: string, opts) => (await actions()).cronSimple("cron.run", id, opts));
  clientOptions(
    cron
      .command("runs [id]")
      .description("run history: status, duration, error, delivery")
      .option("--limit <n>", "how many (default 20)", "20")
      .option("--json", "print JSON"),
  ).action(async (id: string | undefined, opts) => (await actions()).cronRuns(id, opts));
  clientOptions(cron.command("approve <id>").description("approve a job the agent created, so it runs")).action(async (id: string, opts) => (await actions()).cronSimple("cron.approve", id, opts));
  clientOptions(cron.command("reject <id>").description("reject (remove) a job the agent created")).action(async (id: string, opts) => (await actions()).cronSimple("cron.reject", id, opts));
}
