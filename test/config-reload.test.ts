// Config hot reload as a user meets it: a real gateway process, `simpleclaw config set`
// and hand edits of simpleclaw.json, and the next `simpleclaw agent -m` reply showing
// which model the running gateway now uses (the fake model API records it).
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeModelServer } from "./fakes/model-server.js";
import { cleanupAll, onCleanup, randomToken, runCli, spawnGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

async function setup() {
  const fake = await startFakeModelServer({ apiKey: "sk-reload-test-0123456789abcdef" });
  onCleanup(() => fake.close());
  const token = randomToken();
  const state = tempStateDir({
    gateway: { auth: { token } },
    agents: { defaults: { model: { primary: "fake/first" } } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url } } },
  });
  const env = { ...state.env, FAKE_API_KEY: fake.apiKey };
  const gw = await spawnGateway(env);
  // No --url: the CLI finds the gateway through its runtime record, as a user's would.
  const cli = (...args: string[]) => runCli(args, env);
  return { fake, gw, cli, state, token };
}

describe("config changes reach the running gateway", () => {
  it("config set of the model applies to the next reply", async () => {
    const { cli, fake } = await setup();
    const first = await cli("agent", "-m", "one", "--json");
    expect(JSON.parse(first.stdout)).toMatchObject({ model: "fake/first" });

    const set = await cli("config", "set", "agents.defaults.model.primary", "fake/second");
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^set agents\.defaults\.model\.primary\napplied to the running gateway \(pid \d+\)\n$/);

    const second = await cli("agent", "-m", "two", "--json");
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ model: "fake/second", text: "echo: two" });
    expect(fake.requests.at(-1)!.model).toBe("second");
  });

  it("models set changes the default model of the running gateway; models list shows it", async () => {
    const { cli, fake } = await setup();
    const set = await cli("models", "set", "fake/third");
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^set agents\.defaults\.model\.primary\napplied to the running gateway/);
    const list = await cli("models", "list");
    expect(list.stdout).toMatch(/^agent main: fake\/third \(ready\)\nproviders:\n {2}anthropic \(built in\)\n {2}openai \(built in\)\n {2}fake → http/);
    expect(JSON.parse((await cli("agent", "-m", "three", "--json")).stdout)).toMatchObject({ model: "fake/third" });
    expect(fake.requests.at(-1)!.model).toBe("third");
    const bad = await cli("models", "set", "gpt-4o");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"gpt-4o" is not a model ref; write provider\/model/);
  });

  it("attack: models list masks credentials in a provider's base URL, as config get does (control: the host stays)", async () => {
    const state = tempStateDir({ models: { providers: { proxy: { api: "openai-completions", baseUrl: "https://team:pr0xy-p@ss@llm.example.net/v1" } } } });
    for (const args of [["models", "list"], ["models", "list", "--json"]]) {
      const out = await runCli(args, state.env);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).not.toMatch(/pr0xy|p@ss|team:/);
      expect(out.stdout).toContain("[redacted]@llm.example.net/v1");
    }
  });

  it("a hand edit applies; an invalid one is refused with the key path and the running config stays", async () => {
    const { cli, gw, state, token } = await setup();
    const cfg = JSON.parse(readFileSync(state.configPath, "utf8"));
    cfg.agents.defaults.model.primary = "fake/edited";
    writeFileSync(state.configPath, JSON.stringify(cfg));
    await gw.waitFor(/config reloaded/);
    expect(JSON.parse((await cli("agent", "-m", "a", "--json")).stdout)).toMatchObject({ model: "fake/edited" });

    cfg.agents.defaults.model.primary = 42;
    writeFileSync(state.configPath, JSON.stringify(cfg));
    await gw.waitFor(/config change refused.*agents\.defaults\.model\.primary/);
    // The CLI reads the (now broken) file too, so it is given the address and the token.
    const r = await cli("agent", "-m", "b", "--json", "--url", gw.url, "--token", token);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: "fake/edited", text: "echo: b" });
  });

  it("a port change says restart needed, and the gateway keeps its port", async () => {
    const { cli, gw } = await setup();
    const set = await cli("config", "set", "gateway.port", "19999");
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^set gateway\.port\nrestart needed: the running gateway \(pid \d+\) applies gateway\.port only after a restart/);
    await gw.waitFor(/restart the gateway to apply gateway\.port/);
    const status = await cli("gateway", "status");
    expect(status.stdout).toContain(`port ${gw.port}`);
  });

  it("with no gateway running, config set just saves", async () => {
    const state = tempStateDir({});
    const r = await runCli(["config", "set", "agents.defaults.model.primary", "anthropic/claude-sonnet-4-5"], state.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("set agents.defaults.model.primary\n");
  });

  it("a model ref with an unknown provider is refused with the key path", async () => {
    const state = tempStateDir({});
    const r = await runCli(["config", "set", "agents.defaults.model.primary", "ollama/llama3.1"], state.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: not saved: agents\.defaults\.model\.primary: "ollama\/llama3\.1" names an unknown provider "ollama"; use anthropic, openai, or add models\.providers\.ollama/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const after = await runCli(["config", "get", "agents.defaults.model.primary"], state.env);
    expect(after.stdout).toBe("anthropic/claude-sonnet-4-5\n");
  });
});
