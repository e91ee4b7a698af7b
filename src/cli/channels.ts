// `simpleclaw pairing list|approve|reject|revoke|clear` (DM pairing; works with or without a
// running gateway) and `simpleclaw channels add|list|status|remove` (credentials/).
import type { Command } from "commander";
import { clientOptions } from "./gateway.js";

export function registerChannelCommands(program: Command): void {
  const pairing = program.command("pairing").description("approve who may DM the assistant on a chat channel");
  pairing
    .command("list [channel]")
    .description("pending pairing requests and approved senders")
    .option("--json", "print JSON")
    .action(async (channel: string | undefined, opts) => (await import("./channels-actions.js")).pairingList(channel, opts));
  pairing
    .command("approve <channel> <code>")
    .description("let the sender who got this code talk to the assistant")
    .action(async (channel: string, code: string) => (await import("./channels-actions.js")).pairingApprove(channel, code));
  pairing
    .command("reject <channel> <code>")
    .description("drop a pending request")
    .action(async (channel: string, code: string) => (await import("./channels-actions.js")).pairingReject(channel, code));
  pairing
    .command("revoke <channel> <senderId>")
    .description("remove an approved sender")
    .action(async (channel: string, sender: string) => (await import("./channels-actions.js")).pairingRevoke(channel, sender));
  pairing
    .command("clear <channel>")
    .description("drop every pending request (e.g. a queue held full by throwaway accounts)")
    .action(async (channel: string) => (await import("./channels-actions.js")).pairingClear(channel));

  const channels = program.command("channels").description("connect chat accounts (Telegram, Discord, Slack)");
  channels
    .command("add <channel>")
    .description("store the channel's credentials in credentials/<channel>.json (600) and enable it")
    .option("--token <token>", "bot token (Telegram, Discord, Slack xoxb-…); read from stdin when omitted")
    .option("--app-token <token>", "Slack app-level token (xapp-…) for Socket Mode")
    .option("--signing-secret <secret>", "Slack signing secret (HTTP events)")
    .action(async (channel: string, opts) => (await import("./channels-actions.js")).channelsAdd(channel, opts));
  channels
    .command("list")
    .description("configured channels, their policies and whether credentials are present")
    .option("--json", "print JSON")
    .action(async (opts) => (await import("./channels-actions.js")).channelsList(opts));
  clientOptions(channels.command("status").description("which channels the running gateway has connected").option("--json", "print JSON")).action(
    async (opts) => (await import("./channels-actions.js")).channelsStatus(opts),
  );
  channels
    .command("remove <channel>")
    .description("delete the channel's stored credentials and disable it")
    .action(async (channel: string) => (await import("./channels-actions.js")).channelsRemove(channel));
}
