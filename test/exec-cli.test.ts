// `simpleclaw approvals …` and `simpleclaw sandbox …` as a user runs them.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../src/protocol/client.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { cleanupAll, onCleanup, randomToken, runCli, spawnGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

describe("simpleclaw approvals allowlist", () => {
  it("adds, lists and removes entries in exec-approvals.json (600), and refuses relative patterns", async () => {
    const state = tempStateDir({});
    const add = await runCli(["approvals", "allowlist", "add", "/usr/bin/ls", "--args", "-la", "**"], state.env);
    expect(add.code).toBe(0);
    const id = /Added ([0-9a-f-]+)/.exec(add.stdout)![1]!;
    expect(statSync(join(state.dir, "exec-approvals.json")).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(join(state.dir, "exec-approvals.json"), "utf8"));
    expect(file.agents.main.allowlist[0]).toMatchObject({ id, pattern: "/usr/bin/ls", args: ["-la", "**"], source: "manual" });
    const list = await runCli(["approvals", "allowlist", "list"], state.env);
    expect(list.stdout).toContain(`${id}  main  /usr/bin/ls ["-la","**"]`);
    const bad = await runCli(["approvals", "allowlist", "add", "ls"], state.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/absolute executable paths/);
    expect((await runCli(["approvals", "allowlist", "remove", id], state.env)).code).toBe(0);
    expect((await runCli(["approvals", "allowlist", "list"], state.env)).stdout).toMatch(/empty/);
    expect((await runCli(["approvals", "allowlist", "remove", id], state.env)).code).toBe(1);
  });

  it("a corrupt exec-approvals.json is reported, not overwritten", async () => {
    const state = tempStateDir({});
    writeFileSync(join(state.dir, "exec-approvals.json"), "{ not json");
    const r = await runCli(["approvals", "allowlist", "add", "/usr/bin/ls"], state.env);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/exec-approvals\.json is not valid JSON/);
    expect(readFileSync(join(state.dir, "exec-approvals.json"), "utf8")).toBe("{ not json");
  });
});

describe("simpleclaw approvals list / approve / deny", () => {
  it("answers a pending approval from the CLI", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-approvals-cli-0123456789" });
    onCleanup(() => fake.close());
    const token = randomToken();
    const state = tempStateDir({
      gateway: { auth: { token } },
      agents: { defaults: { model: { primary: "fake/m" } } },
      models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
    });
    const gw = await spawnGateway(state.env);
    const flags = ["--url", gw.url, "--token", token];
    const op = await GatewayClient.connect({ url: gw.url, token });
    onCleanup(() => op.close());
    const requested = new Promise<any>((r) => op.onEvent((e, p) => e === "exec.approval.requested" && r(p)));
    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch cli-approved" } }] }, (req) => ({ text: req.toolResults[0]!.content }));
    await op.call("chat.send", { message: "go", idempotencyKey: "k1" });
    const req = await requested;
    const list = await runCli(["approvals", "list", ...flags], state.env);
    expect(list.stdout).toContain(req.id);
    expect(list.stdout).toContain("touch cli-approved");
    const ok = await runCli(["approvals", "approve", req.id, ...flags], state.env);
    expect(ok.stdout.trim()).toBe(`${req.id}: allow-once`);
    const again = await runCli(["approvals", "deny", req.id, ...flags], state.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no pending approval/);
  });
});

describe("simpleclaw sandbox explain", () => {
  it("shows main sessions on the host and other sessions sandboxed with their mounts", async () => {
    const state = tempStateDir({});
    const main = await runCli(["sandbox", "explain", "--json"], state.env);
    expect(JSON.parse(main.stdout)).toMatchObject({ sessionKey: "agent:main:main", required: false, mode: "non-main" });
    const other = await runCli(["sandbox", "explain", "--session", "agent:main:telegram:direct:42", "--json"], state.env);
    const e = JSON.parse(other.stdout);
    expect(e.required).toBe(true);
    if (e.backend === "bwrap") {
      expect(e.mounts.map((m: any) => m.path)).toContain(join(state.dir, "workspace"));
      expect(e.mounts.map((m: any) => m.path)).not.toContain(state.dir);
    } else {
      expect(e.reason).toMatch(/unavailable/);
    }
    const bad = await runCli(["sandbox", "explain", "--session", "nope"], state.env);
    expect(bad.code).toBe(2);
  });
});
