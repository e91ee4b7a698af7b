// `simpleclaw status` as a user runs it: a real gateway process, the fake model behind it,
// a command waiting for approval, and the one-screen summary a person reads.
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../src/protocol/client.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { cleanupAll, onCleanup, randomToken, runCli, spawnGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

describe("simpleclaw status", () => {
  it("shows the gateway, sessions, a waiting approval with how to answer it, and the audit summary", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-status-test-0123456789abcdef" });
    onCleanup(() => fake.close());
    const token = randomToken();
    const state = tempStateDir({
      gateway: { auth: { token } },
      agents: { defaults: { model: { primary: "fake/m" } } },
      models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
    });
    const gw = await spawnGateway(state.env);
    const op = await GatewayClient.connect({ url: gw.url, token });
    onCleanup(() => op.close());
    const requested = new Promise<{ id: string }>((r) => op.onEvent((e, p) => e === "exec.approval.requested" && r(p as { id: string })));
    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch status-marker" } }] }, { text: "done" });
    await op.call("chat.send", { message: "go", idempotencyKey: "s1" });
    const req = await requested;

    const r = await runCli(["status"], state.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^gateway: running \\(version \\S+, pid ${gw.child.pid}, up \\d+ s\\) on 127\\.0\\.0\\.1:${gw.port}, auth token`));
    expect(r.stdout).toContain("channels: none enabled");
    expect(r.stdout).toMatch(/^sessions: 1 \(latest agent:main:main, /m);
    expect(r.stdout).toContain(`approvals waiting: 1\n  ${req.id}  touch status-marker  → simpleclaw approvals approve ${req.id}\n`);
    expect(r.stdout).toContain("pairing requests: 0\n");
    expect(r.stdout).toMatch(/^audit: \d+ critical, \d+ warn, \d+ info/m);

    const j = JSON.parse((await runCli(["status", "--json"], state.env)).stdout);
    expect(j).toMatchObject({ running: true, sessions: 1, approvals: [{ id: req.id, command: "touch status-marker" }] });
  });

  it("a stopped gateway is an answer: says so, exit 3", async () => {
    const state = tempStateDir({});
    const r = await runCli(["status"], state.env);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^gateway: not running — no gateway is running at .*; start it with/);
  });
});
