/* eslint-disable @typescript-eslint/no-explicit-any */
// planImport (docs/migrating-from-openclaw.md): security wins every conflict, secrets never reach the config.
import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/io.js";
import { planImport, type MapOptions } from "./openclaw-map.js";
import type { OpenClawSource } from "./openclaw-source.js";

function source(config: Record<string, unknown>, extra: Partial<OpenClawSource> = {}): OpenClawSource {
  return { dir: "/h/.openclaw", configPath: "/h/.openclaw/openclaw.json", home: "/h", config, counts: { pairedDevices: 0, pendingPairing: 0, cronJobs: 0 }, legacyFiles: [], ...extra };
}
const opts = (o: Partial<MapOptions> = {}): MapOptions => ({ workspace: "copy", keepInsecure: false, stateDir: "/s", existing: {}, newToken: () => "generated-token-0123456789abcdef0123", ...o });
const reason = (plan: ReturnType<typeof planImport>, from: string) => plan.items.find((i) => i.from === from);

describe("planImport", () => {
  it("every plan is a valid SimpleClaw config", () => {
    const plan = planImport(source({ gateway: { bind: "auto", auth: { mode: "trusted-proxy" } }, tools: { exec: { security: "full" } } }), opts());
    expect(validateConfig(plan.config).ok).toBe(true);
  });

  it.each([
    ["an open DM policy", { channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } }, "channels.telegram.dmPolicy", (c: any) => c.channels.telegram.dmPolicy, "pairing", "open"],
    ["exec security full", { tools: { exec: { security: "full" } } }, "tools.exec.security", (c: any) => c.tools.exec.security, "allowlist", "full"],
    ["tailscale funnel", { gateway: { tailscale: { mode: "funnel" } } }, "gateway.tailscale.mode", (c: any) => c.gateway.tailscale.mode, "off", "funnel"],
    ["no auth on loopback", { gateway: { bind: "loopback", auth: { mode: "none" } } }, "gateway.auth.mode", (c: any) => c.gateway.auth.mode, "token", "none"],
    ["an open group policy with the sandbox off", { agents: { defaults: { sandbox: { mode: "off" } } }, channels: { slack: { groupPolicy: "open" } } }, "channels.slack.groupPolicy", (c: any) => c.channels.slack.groupPolicy, "allowlist", "open"],
  ])("%s is made safe, and kept only with keepInsecure", (_name, cfg, from, pick, safe, insecure) => {
    const plan = planImport(source(cfg), opts());
    expect(pick(plan.config)).toBe(safe);
    expect(reason(plan, from)).toMatchObject({ status: "changed" });
    expect(reason(plan, from)!.reason).toMatch(/--keep-insecure/);
    expect(pick(planImport(source(cfg), opts({ keepInsecure: true })).config)).toBe(insecure);
  });

  it("a LAN bind without auth gets a token even with keepInsecure (SimpleClaw would refuse to start)", () => {
    const plan = planImport(source({ gateway: { bind: "lan", auth: { mode: "none" } } }), opts({ keepInsecure: true }));
    expect((plan.config as any).gateway.auth).toEqual({ mode: "token", token: "generated-token-0123456789abcdef0123" });
  });

  describe("a gateway password SimpleClaw would refuse to listen with", () => {
    const gw = (bind: string, password: string, extra = {}) => source({ gateway: { bind, auth: { mode: "password", password }, ...extra } });

    it("a strong password on a LAN bind, and a short one on loopback, are kept (positive control)", () => {
      expect((planImport(gw("lan", "fixture-LAN-passphrase-not-real-7c2e9a41"), opts()).config as any).gateway.auth).toEqual({ mode: "password", password: "fixture-LAN-passphrase-not-real-7c2e9a41" });
      expect((planImport(gw("loopback", "1234"), opts()).config as any).gateway.auth).toEqual({ mode: "password", password: "1234" });
    });

    it.each([
      ["lan", {}],
      ["tailnet", {}],
      ["custom", { customBindHost: "192.168.1.5" }],
    ])("a short password on a %s bind becomes a generated token, even with keepInsecure", (bind, extra) => {
      for (const keepInsecure of [false, true]) {
        const plan = planImport(gw(bind, "1234", extra), opts({ keepInsecure }));
        expect((plan.config as any).gateway.auth).toEqual({ mode: "token", token: "generated-token-0123456789abcdef0123" });
        expect(JSON.stringify(plan.config)).not.toContain("1234\"");
        expect(reason(plan, "gateway.auth.mode")).toMatchObject({ status: "changed", reason: expect.stringMatching(/shorter than 12 characters/) });
        expect(reason(plan, "gateway.auth.password")).toMatchObject({ status: "changed" });
        expect(validateConfig(plan.config).ok).toBe(true);
      }
    });
  });

  it("an existing SimpleClaw token is kept, never regenerated", () => {
    const existing = { gateway: { auth: { token: "mine-already-0123456789abcdef0123456" } }, logging: { level: "debug" } };
    const plan = planImport(source({ gateway: { bind: "loopback" } }), opts({ existing, newToken: () => "NEW" }));
    expect((plan.config as any).gateway.auth.token).toBe("mine-already-0123456789abcdef0123456");
    expect((plan.config as any).logging.level).toBe("debug");
  });

  it("an allow list of only foreign tool names denies every group instead of allowing everything", () => {
    const plan = planImport(source({ tools: { allow: ["canvas", "sessions_send"] } }), opts());
    const tools = (plan.config as any).tools;
    expect(tools.allow).toBeUndefined();
    expect(tools.deny).toEqual(expect.arrayContaining(["group:fs", "group:runtime", "group:web", "group:memory", "group:nodes", "group:plugins"]));
  });

  it("secrets never reach the config: keys go to credentials, refs are skipped", () => {
    const plan = planImport(
      source({
        models: { providers: { local: { api: "openai-completions", baseUrl: "http://127.0.0.1:11434/v1", apiKey: "sk-x" }, ref: { api: "openai-completions", baseUrl: "http://x.invalid/v1", apiKey: { source: "env", id: "K" } } } },
        channels: { discord: { token: "dtok" }, slack: { botToken: "xoxb", appToken: "xapp" } },
      }),
      opts(),
    );
    expect(JSON.stringify(plan.config)).not.toMatch(/sk-x|dtok|xoxb|xapp/);
    expect(plan.providerKeys).toEqual({ local: "sk-x" });
    expect(plan.channelSecrets).toEqual({ discord: { botToken: "dtok" }, slack: { botToken: "xoxb", appToken: "xapp" } });
    expect(reason(plan, "models.providers.ref.apiKey")).toMatchObject({ status: "skipped" });
  });

  it("approved senders of another account and relative allowlist patterns are skipped with a reason", () => {
    const plan = planImport(
      source({}, {
        approved: [
          { channel: "telegram", accountId: "default", id: "1", updatedAt: 5 },
          { channel: "telegram", accountId: "work", id: "2", updatedAt: 5 },
        ],
        execApprovals: { agents: { main: { allowlist: [{ pattern: "git" }, { pattern: "~/bin/x" }] } } },
      }),
      opts(),
    );
    expect(plan.approvedSenders).toEqual({ telegram: [{ id: "1", approvedAt: 5 }] });
    expect(reason(plan, "approved sender telegram:2")!.reason).toMatch(/account "work"/);
    expect(plan.approvals!.agents.main!.allowlist).toEqual([{ pattern: "/h/bin/x" }]);
    expect(reason(plan, "exec allowlist (main) git")).toMatchObject({ status: "skipped" });
  });

  it("an allowlisted shell or interpreter (any arguments) is left out unless keepInsecure; programs stay", () => {
    const src = source({}, { execApprovals: { agents: { main: { allowlist: [{ pattern: "/usr/bin/git" }, { pattern: "/bin/bash" }, { pattern: "/usr/bin/python3" }] } } } });
    const plan = planImport(src, opts());
    expect(plan.approvals!.agents.main!.allowlist.map((e) => e.pattern)).toEqual(["/usr/bin/git"]);
    expect(reason(plan, "exec allowlist (main) /bin/bash")).toMatchObject({ status: "changed", reason: expect.stringMatching(/any code.*--keep-insecure/) });
    expect(reason(plan, "exec allowlist (main) /usr/bin/git")).toMatchObject({ status: "imported" });
    expect(planImport(src, opts({ keepInsecure: true })).approvals!.agents.main!.allowlist).toHaveLength(3);
  });

  it("unknown top-level keys are reported, not dropped silently", () => {
    const plan = planImport(source({ someFutureThing: { x: 1 } }), opts());
    expect(reason(plan, "someFutureThing")).toMatchObject({ status: "skipped", reason: "no SimpleClaw equivalent" });
  });

  describe("--workspace reference never hands the agent the home, the state dir or a secrets folder", () => {
    const ws = (w: string, entry = w) => source({ agents: { defaults: { workspace: w }, entries: { main: { workspace: entry } } } });
    const refOpts = (o: Partial<MapOptions> = {}) => opts({ workspace: "reference", stateDir: "/h/.simpleclaw", home: "/h", ...o });

    it("a project folder is referenced in place (positive control)", () => {
      const plan = planImport(ws("~/notes"), refOpts());
      expect((plan.config as any).agents.defaults.workspace).toBe("/h/notes");
      expect((plan.config as any).agents.list[0].workspace).toBe("/h/notes");
      expect(plan.workspaces).toEqual([{ agentId: "main", from: "/h/notes" }]);
    });

    it.each([
      ["the home", "~", /home directory/],
      ["the SimpleClaw state dir", "~/.simpleclaw", /state dir/],
      ["SimpleClaw's credentials", "~/.simpleclaw/credentials", /state dir/],
      ["~/.ssh", "~/.ssh", /\.ssh/],
      ["a parent of the home", "/", /system directory/],
    ])("%s is copied instead", (_n, w, why) => {
      const plan = planImport(ws(w), refOpts());
      expect((plan.config as any).agents.defaults?.workspace).toBeUndefined();
      expect((plan.config as any).agents.list[0].workspace).toBeUndefined();
      expect(plan.workspaces[0]!.to).toBe("/h/.simpleclaw/workspace");
      const item = plan.items.find((i) => i.from.startsWith("workspace ") && i.status === "changed");
      expect(item!.reason).toMatch(why);
      expect(item!.reason).toMatch(/--keep-insecure/);
      expect(validateConfig(plan.config).ok).toBe(true);
      // Kept only on request.
      expect((planImport(ws(w), refOpts({ keepInsecure: true })).config as any).agents.defaults.workspace).toBeDefined();
    });

    it("a harmless name that is a link to the home is judged by where it leads", () => {
      const plan = planImport(ws("~/notes"), refOpts({ realpath: (p) => (p === "/h/notes" ? "/h" : p) }));
      expect((plan.config as any).agents.defaults?.workspace).toBeUndefined();
      expect(plan.workspaces[0]!.to).toBe("/h/.simpleclaw/workspace");
    });
  });
});
