// `simpleclaw configure [section]`: change one section of an existing config (a wizard,
// or flags with --non-interactive); the gateway token is kept unless --rotate-token.
import type { Command } from "commander";

export function registerConfigureCommands(program: Command): void {
  program
    .command("configure [section]")
    .description("change one section of the config (gateway, model, sandbox, exec, browser, channels); keeps the gateway token unless --rotate-token")
    .option("--non-interactive", "take every answer from flags (implied when a section flag is given)")
    .option("--rotate-token", "generate a new gateway token (signed-in clients must use the new one)")
    .option("--port <port>", "gateway: port to listen on (1-65535)")
    .option("--bind <mode>", "gateway: loopback | lan | tailnet | custom")
    .option("--custom-bind-host <host>", "gateway: the address to listen on with --bind custom")
    .option("--auth <mode>", "gateway: token | password")
    .option("--password-env <name>", "gateway: read the gateway password from this environment variable")
    .option("--model <ref>", "model: the default model, provider/model (e.g. anthropic/claude-sonnet-4-5)")
    .option("--fallbacks <refs>", "model: comma-separated fallback models (empty: none)")
    .option("--sandbox-mode <mode>", "sandbox: off | non-main | all")
    .option("--sandbox-backend <backend>", "sandbox: auto | bwrap | docker")
    .option("--workspace-access <access>", "sandbox: rw | ro | none")
    .option("--sandbox-network <on|off>", "sandbox: network inside the sandbox")
    .option("--exec <on|off>", "exec: the exec tool on or off")
    .option("--exec-security <level>", "exec: deny | allowlist | full")
    .option("--exec-ask <when>", "exec: off | on-miss | always")
    .option("--browser <on|off>", "browser: the browser tool on or off")
    .option("--browser-private-network <on|off>", "browser: let pages load loopback/LAN addresses")
    .option("--channel <id>", "channels: which channel to change")
    .option("--dm-policy <policy>", "channels: pairing | allowlist | open | disabled")
    .option("--group-policy <policy>", "channels: allowlist | open | disabled")
    .action(async (section: string | undefined, opts) => (await import("./configure-actions.js")).configure(section, opts));
}
