// The questions of `simpleclaw configure` (@clack/prompts, lazy-loaded): which section (unless
// named), then that section's settings with the current values as the answers Enter takes.
// Only answers that differ from the current config become edits, so keeping a value keeps
// the file as it was. Nothing is written here (configure-actions.ts does that).
import type { Config } from "../config/schema.js";
import { EXIT } from "../infra/errors.js";
import { SECTION_IDS, SECTIONS, type Edit, type SectionId } from "../onboard/configure.js";

export interface Asked {
  section: SectionId;
  edits: Edit[];
  rotate: boolean;
}

export async function askSection(
  named: SectionId | undefined,
  config: Config,
  opts: { channelNames: string[]; channelPath: (id: string) => string[]; rotate: boolean },
): Promise<Asked | undefined> {
  const p = await import("@clack/prompts");
  const cancelled = (v: unknown): v is symbol => {
    if (p.isCancel(v)) {
      p.cancel("Cancelled; the config was not changed.");
      process.exitCode = EXIT.interrupted;
      return true;
    }
    return false;
  };
  p.intro("SimpleClaw configure");
  let section = named;
  if (!section) {
    const s = await p.select<SectionId>({
      message: "Which section do you want to change?",
      options: SECTION_IDS.map((id) => ({ value: id, label: SECTIONS[id].label, hint: SECTIONS[id].hint })),
    });
    if (cancelled(s)) return undefined;
    section = s;
  }
  const edits: Edit[] = [];
  const change = (path: string[], now: unknown, next: unknown) => {
    if (JSON.stringify(now) !== JSON.stringify(next)) edits.push({ path, value: next });
  };
  let rotate = opts.rotate;

  switch (section) {
    case "gateway": {
      const g = config.gateway;
      const port = await p.text({
        message: "Port",
        initialValue: String(g.port),
        validate: (s) => (/^\d+$/.test(s ?? "") && Number(s) >= 1 && Number(s) <= 65535 ? undefined : "a number from 1 to 65535"),
      });
      if (cancelled(port)) return undefined;
      change(["gateway", "port"], g.port, Number(port));
      const bind = await p.select<Config["gateway"]["bind"]>({
        message: "Listen on",
        initialValue: g.bind,
        options: [
          { value: "loopback", label: "loopback", hint: "this machine only (recommended)" },
          { value: "tailnet", label: "tailnet", hint: "your Tailscale address" },
          { value: "lan", label: "lan", hint: "every interface: needs auth, and TLS is advised" },
          { value: "custom", label: "custom", hint: "one address you name" },
        ],
      });
      if (cancelled(bind)) return undefined;
      change(["gateway", "bind"], g.bind, bind);
      if (bind === "custom") {
        const host = await p.text({ message: "Address to listen on", initialValue: g.customBindHost ?? "", validate: (s) => (s ? undefined : "an IP address") });
        if (cancelled(host)) return undefined;
        change(["gateway", "customBindHost"], g.customBindHost, host.trim());
      }
      const mode = await p.select<"token" | "password">({
        message: "Authentication",
        initialValue: g.auth.mode === "password" ? "password" : "token",
        options: [
          { value: "token", label: "token", hint: "a long random token (recommended)" },
          { value: "password", label: "password", hint: "one you choose; at least 12 characters off loopback" },
        ],
      });
      if (cancelled(mode)) return undefined;
      change(["gateway", "auth", "mode"], g.auth.mode, mode);
      if (mode === "password") {
        const pw = await p.password({ message: g.auth.password ? "Gateway password (empty: keep the current one)" : "Gateway password" });
        if (cancelled(pw)) return undefined;
        if (pw) change(["gateway", "auth", "password"], g.auth.password, pw);
      } else if (!rotate) {
        const r = await p.confirm({ message: "Keep the current gateway token? (No: generate a new one; signed-in clients must use it)", initialValue: true });
        if (cancelled(r)) return undefined;
        rotate = !r;
      }
      break;
    }
    case "model": {
      const m = config.agents.defaults.model;
      const primary = await p.text({
        message: "Default model (provider/model)",
        initialValue: m.primary ?? "",
        validate: (s) => (/^[^/\s]+\/\S+$/.test(s ?? "") ? undefined : "write provider/model, e.g. anthropic/claude-sonnet-4-5"),
      });
      if (cancelled(primary)) return undefined;
      change(["agents", "defaults", "model", "primary"], m.primary, primary.trim());
      const fb = await p.text({ message: "Fallback models, comma-separated (empty: none)", initialValue: m.fallbacks.join(", ") });
      if (cancelled(fb)) return undefined;
      change(["agents", "defaults", "model", "fallbacks"], m.fallbacks, (fb ?? "").split(",").map((s) => s.trim()).filter(Boolean));
      break;
    }
    case "sandbox": {
      const s = config.agents.defaults.sandbox;
      const mode = await p.select<typeof s.mode>({
        message: "Sandbox commands for",
        initialValue: s.mode,
        options: [
          { value: "non-main", label: "non-main", hint: "everyone but you (recommended)" },
          { value: "all", label: "all", hint: "every session, yours too" },
          { value: "off", label: "off", hint: "nobody: commands run on the host" },
        ],
      });
      if (cancelled(mode)) return undefined;
      change(["agents", "defaults", "sandbox", "mode"], s.mode, mode);
      const backend = await p.select<typeof s.backend>({ message: "Backend", initialValue: s.backend, options: [{ value: "auto" }, { value: "bwrap" }, { value: "docker" }] });
      if (cancelled(backend)) return undefined;
      change(["agents", "defaults", "sandbox", "backend"], s.backend, backend);
      const access = await p.select<typeof s.workspaceAccess>({ message: "Workspace inside the sandbox", initialValue: s.workspaceAccess, options: [{ value: "rw" }, { value: "ro" }, { value: "none" }] });
      if (cancelled(access)) return undefined;
      change(["agents", "defaults", "sandbox", "workspaceAccess"], s.workspaceAccess, access);
      const net = await p.confirm({ message: "Network inside the sandbox?", initialValue: s.network });
      if (cancelled(net)) return undefined;
      change(["agents", "defaults", "sandbox", "network"], s.network, net);
      break;
    }
    case "exec": {
      const x = config.tools.exec;
      const on = await p.confirm({ message: "Exec tool on?", initialValue: x.enabled });
      if (cancelled(on)) return undefined;
      change(["tools", "exec", "enabled"], x.enabled, on);
      const sec = await p.select<typeof x.security>({ message: "Which commands may run", initialValue: x.security, options: [{ value: "allowlist", hint: "approved ones (recommended)" }, { value: "deny", hint: "none" }, { value: "full", hint: "any" }] });
      if (cancelled(sec)) return undefined;
      change(["tools", "exec", "security"], x.security, sec);
      const ask = await p.select<typeof x.ask>({ message: "Ask for approval", initialValue: x.ask, options: [{ value: "on-miss", hint: "when not allowlisted" }, { value: "always" }, { value: "off" }] });
      if (cancelled(ask)) return undefined;
      change(["tools", "exec", "ask"], x.ask, ask);
      break;
    }
    case "browser": {
      const on = await p.confirm({ message: "Browser tool on?", initialValue: config.tools.browser.enabled });
      if (cancelled(on)) return undefined;
      change(["tools", "browser", "enabled"], config.tools.browser.enabled, on);
      const priv = await p.confirm({ message: "Let pages load loopback/LAN addresses?", initialValue: config.browser.allowPrivateNetwork });
      if (cancelled(priv)) return undefined;
      change(["browser", "allowPrivateNetwork"], config.browser.allowPrivateNetwork, priv);
      break;
    }
    case "channels": {
      const id = await p.select<string>({ message: "Which channel?", options: opts.channelNames.map((n) => ({ value: n })) });
      if (cancelled(id)) return undefined;
      const base = opts.channelPath(id);
      const { channelConfig } = await import("../config/channels.js");
      const c = channelConfig(config, id);
      const dm = await p.select<string>({
        message: "Direct messages from strangers",
        initialValue: c?.dmPolicy ?? "pairing",
        options: [{ value: "pairing", hint: "they get a code you approve (recommended)" }, { value: "allowlist", hint: "only senders listed in allowFrom" }, { value: "disabled" }, { value: "open", hint: "anyone (needs \"*\" in allowFrom)" }],
      });
      if (cancelled(dm)) return undefined;
      change([...base, "dmPolicy"], c?.dmPolicy ?? "pairing", dm);
      const gp = await p.select<string>({ message: "Groups", initialValue: c?.groupPolicy ?? "allowlist", options: [{ value: "allowlist", hint: "listed groups only (recommended)" }, { value: "disabled" }, { value: "open" }] });
      if (cancelled(gp)) return undefined;
      change([...base, "groupPolicy"], c?.groupPolicy ?? "allowlist", gp);
      break;
    }
  }
  return { section, edits, rotate };
}
