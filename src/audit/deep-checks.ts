// Catalog entries of the `--deep` live probes (deep.ts runs them). Kept apart from the
// probes so the registry (and the generated docs) need no network code.
import type { CheckDef } from "./types.js";

export const deepChecks = {
  unauthAccepted: {
    id: "gateway.probe_unauth_accepted",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "Live gateway accepted a connection without credentials",
    meaning: "The probe connected to the running gateway with no token or password and got hello-ok: anyone who can reach the port is an operator.",
    remedy: "Use token auth (`simpleclaw config unset gateway.auth.mode`) and restart the gateway.",
  },
  wrongAccepted: {
    id: "gateway.probe_wrong_secret_accepted",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "Live gateway accepted a wrong secret",
    meaning: "The probe connected with a random wrong token/password and was let in.",
    remedy: "Use token auth with a long random token and restart the gateway.",
  },
  noLockout: {
    id: "gateway.probe_no_lockout",
    severity: ["warn"],
    fixable: false,
    deep: true,
    title: "Live gateway did not lock out repeated wrong secrets",
    meaning: "The probe sent more wrong secrets than gateway.auth.rateLimit.maxAttempts from one address and was never answered RATE_LIMITED. Against a loopback gateway the probe runs only when loopback is exempt (otherwise it would lock the owner out: all of loopback is one client).",
    remedy: "Unset gateway.auth.rateLimit (defaults: 10 attempts / 60 s, 5 min lockout) and keep exemptLoopback false; restart the gateway.",
  },
  listenMismatch: {
    id: "gateway.probe_listen_mismatch",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "Live gateway listens on more than the config allows",
    meaning: "The config binds the gateway to one address (loopback, the tailnet address or a custom host), but the running gateway's port is bound to a wildcard or another address, or (for loopback) answers on a non-loopback address of this machine: an old process, a different config, or a proxy.",
    remedy: "Restart the gateway with the current config (`simpleclaw gateway run`) and check that no proxy publishes its port.",
  },
  plaintext: {
    id: "gateway.probe_plaintext_served",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "Live gateway answers plain HTTP although TLS is configured",
    meaning: "gateway.tls.enabled is true, yet a plain-HTTP request to the gateway's port got an HTTP response: the gateway runs without TLS (an old process or another config).",
    remedy: "Restart the gateway with the current config and check gateway.tls.",
  },
  probeFailed: {
    id: "gateway.probe_failed",
    severity: ["warn"],
    fixable: false,
    deep: true,
    title: "A live probe could not run",
    meaning: "A --deep probe could not reach the gateway or could not run (no gateway at the configured address, an unexpected error); what it would have proven is unknown.",
    remedy: "Start the gateway (`simpleclaw gateway run`) or pass --url, then run `simpleclaw security audit --deep` again.",
  },
  sandboxEscape: {
    id: "sandbox.probe_escape",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "A sandboxed command reached the state dir or the network",
    meaning: "The probe ran a command the way exec runs it for a group (non-main) session, where strangers land, and it could read the SimpleClaw state dir or open a socket to the gateway.",
    remedy: "Set agents.defaults.sandbox.mode \"non-main\" or \"all\" with network false, and make sure bwrap or Docker works (`simpleclaw sandbox explain`).",
  },
  fsEscape: {
    id: "tools.fs.probe_escape",
    severity: ["critical"],
    fixable: false,
    deep: true,
    title: "The read tool read a file outside the workspace",
    meaning: "The probe called the real read tool, as a session of the channel agent, on the config file outside the workspace, and got its content.",
    remedy: "`simpleclaw config unset tools.fs.workspaceOnly` and use the sandbox for non-main sessions.",
  },
} satisfies Record<string, CheckDef>;

export const deepCheckList: readonly CheckDef[] = Object.values(deepChecks);
