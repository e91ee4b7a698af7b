// The hardening guide's minimal tool surface profile (docs/configuration.md, docs/hardening.md):
// it validates as written, and a real gateway running it offers the model no exec, http
// or browser tool and refuses them when a (prompt-injected) model calls them anyway.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../src/config/io.js";
import { startGateway } from "../src/gateway/start.js";
import { offeredTools } from "../src/security/tool-policy.js";
import { builtinTools } from "../src/tools/registry.js";
import { startFakeModelServer } from "./fakes/model-server.js";
import { chatClient } from "./helpers/chat.js";
import { cleanupAll, onCleanup, randomToken, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

const SPEC_PROFILE = `{"tools":{"exec":{"enabled":false},"browser":{"enabled":false},"http":{"enabled":false},"fs":{"workspaceOnly":true}}}`;

/** The profile exactly as docs/hardening.md shows it (the JSON block after its marker). */
function docProfile(): string {
  const md = readFileSync(join(import.meta.dirname, "..", "docs", "hardening.md"), "utf8");
  const m = /<!-- hardening-profile -->\s*```json\n(.+?)\n```/s.exec(md);
  if (!m) throw new Error("docs/hardening.md has no ```json block after <!-- hardening-profile -->");
  return m[1]!;
}

describe("the minimal tool surface profile", () => {
  it("docs/hardening.md shows the the documented profile verbatim", () => {
    expect(docProfile()).toBe(SPEC_PROFILE);
  });

  it("validates as written, and keeps the other secure defaults", () => {
    const v = validateConfig(JSON.parse(docProfile()));
    if (!v.ok) throw new Error(v.problems.join("; "));
    expect(v.config.tools.exec.enabled).toBe(false);
    expect(v.config.tools.http.enabled).toBe(false);
    expect(v.config.tools.browser.enabled).toBe(false);
    expect(v.config.tools.fs.workspaceOnly).toBe(true);
    expect(v.config.gateway.bind).toBe("loopback");
    expect(v.config.gateway.auth.mode).toBe("token");
  });

  it("the tool policy offers no exec, http or browser tool", () => {
    const v = validateConfig(JSON.parse(docProfile()));
    if (!v.ok) throw new Error(v.problems.join("; "));
    const names = offeredTools(builtinTools(), v.config).map((t) => t.name);
    for (const gone of ["exec", "http", "browser"]) expect(names).not.toContain(gone);
    // What the guide says stays:
    expect(names.sort()).toEqual(["apply_patch", "cron", "edit", "list", "memory_get", "memory_search", "nodes", "read", "write"]);
  });

  it("through a real gateway: the model is not offered them and a call to one is refused", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-fake-hardening-0123456789" });
    onCleanup(() => fake.close());
    const token = randomToken();
    const config = {
      ...JSON.parse(docProfile()),
      gateway: { auth: { token } },
      agents: { defaults: { model: { primary: "fake/model-a" } } },
      models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
    };
    const state = tempStateDir(config);
    const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    const chat = await chatClient(gw.url, token);

    // An injected model asks for each removed tool in turn.
    fake.script(
      { toolCalls: [{ name: "exec", input: { command: "id" } }] },
      { toolCalls: [{ name: "http", input: { url: "https://example.com/" } }] },
      { toolCalls: [{ name: "browser", input: { action: "open", url: "https://example.com/" } }] },
      (req) => ({ text: req.toolResults.map((r) => `${r.toolName}: ${r.content}`).join("\n") }),
    );
    const end = await chat.ask("run id, then fetch example.com, then open it in the browser");
    expect(end.state).toBe("final");

    for (const req of fake.requests) {
      for (const gone of ["exec", "http", "browser"]) expect(req.toolNames).not.toContain(gone);
      expect(req.toolNames).toContain("read");
    }
    const results = fake.requests.at(-1)!.toolResults;
    expect(results.map((r) => r.toolName)).toEqual(["exec", "http", "browser"]);
    expect(results[0]!.content).toContain("tools.exec.enabled is false");
    expect(results[1]!.content).toContain("tools.http.enabled is false");
    expect(results[2]!.content).toContain("tools.browser.enabled is false");
    // One result event per call: the three refusals, nothing else.
    const toolEvents = chat.events.filter((e) => e.state === "tool" && e.phase === "result");
    expect(toolEvents).toHaveLength(3);
  });
});
