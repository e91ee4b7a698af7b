// `simpleclaw agent` and `simpleclaw sessions …` as a user runs them: real CLI
// processes against a real gateway process, with the fake model API behind it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeModelServer } from "./fakes/model-server.js";
import { GatewayClient } from "../src/protocol/client.js";
import { cleanupAll, onCleanup, randomToken, runCli, spawnGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

async function setup() {
  const fake = await startFakeModelServer({ apiKey: "sk-cli-test-0123456789abcdef" });
  onCleanup(() => fake.close());
  const token = randomToken();
  const state = tempStateDir({
    gateway: { auth: { token } },
    agents: { defaults: { model: { primary: "fake/m" } } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url } } },
  });
  const env = { ...state.env, FAKE_API_KEY: fake.apiKey };
  const gw = await spawnGateway(env);
  const cli = (...args: string[]) => runCli([...args, "--url", gw.url, "--token", token], state.env);
  return { fake, gw, cli, dir: state.dir, token };
}

describe("simpleclaw agent / sessions", () => {
  it("streams a reply, then lists, shows, exports and resets the session", async () => {
    const { cli, dir, fake } = await setup();
    const r = await cli("agent", "-m", "hello from the cli");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("echo: hello from the cli\n");
    // the provider key came from FAKE_API_KEY (<PROVIDER>_API_KEY)
    expect(fake.requests[0]!.authorized).toBe(true);

    const j = await cli("agent", "-m", "json please", "--json");
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ state: "final", text: "echo: json please", model: "fake/m", sessionKey: "agent:main:main" });

    const list = await cli("sessions", "list");
    expect(list.stdout).toMatch(/^agent:main:main {2}4 messages/m);

    const show = await cli("sessions", "show");
    expect(show.stdout).toContain("hello from the cli");

    const out = join(dir, "t.md");
    expect((await cli("sessions", "export", "agent:main:main", out)).code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("echo: json please");
    writeFileSync(out, "mine");
    const again = await cli("sessions", "export", "agent:main:main", out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; add --force/);
    expect(readFileSync(out, "utf8")).toBe("mine");

    const reset = await cli("sessions", "reset");
    expect(reset.stdout).toMatch(/Reset agent:main:main/);
    expect((await cli("sessions", "list")).stdout).toMatch(/^agent:main:main {2}0 messages/m);
  });

  it("a model failure is one line on stderr and exit 1", async () => {
    const { cli, fake } = await setup();
    fake.script({ error: { status: 401, message: "invalid x-api-key" } });
    const r = await cli("agent", "-m", "hi");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: model fake\/m refused the API key/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("says when the run waits on an approval, how to answer it, and what happened", async () => {
    const { cli, fake, gw, token } = await setup();
    const op = await GatewayClient.connect({ url: gw.url, token });
    onCleanup(() => op.close());
    const requested = new Promise<{ id: string }>((r) => op.onEvent((e, p) => e === "exec.approval.requested" && r(p as { id: string })));
    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch approved-file" } }] }, (req) => ({ text: `ran: ${req.toolResults[0]!.content}` }));
    const run = cli("agent", "-m", "make a file");
    const req = await requested;
    const approve = await cli("approvals", "approve", req.id);
    expect(approve.code).toBe(0);
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`[waiting for approval ${req.id} to run: touch approved-file]`);
    expect(r.stderr).toContain(`simpleclaw approvals approve ${req.id}`);
    expect(r.stderr).toMatch(/or in the Control UI or TUI; denied in \d+ s without an answer/);
    expect(r.stderr).toContain(`[approval ${req.id}: allowed once, by operator]`);
    expect(r.stdout).toMatch(/^ran: /);
  });

  it("an unknown agent is refused with a clear error", async () => {
    const { cli } = await setup();
    const r = await cli("agent", "-m", "hi", "--agent", "nobody");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT_FOUND: .*agent "nobody"/);
  });
});
