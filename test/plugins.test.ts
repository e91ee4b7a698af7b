// Plugins end to end: the real loader inside a real gateway, the real CLI. The attacks:
// a plugin that is not allowed must never run (its module's top level leaves a marker
// if it is evaluated), an entry escaping its folder is refused, a plugin with a bad
// config or a throwing register() is skipped without taking the gateway down.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startGateway } from "../src/gateway/start.js";
import { chatClient } from "./helpers/chat.js";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { cleanupAll, onCleanup, randomToken, runCli, tempStateDir, writeConfig } from "./helpers/gateway.js";

afterEach(cleanupAll);

const DICE = resolve(__dirname, "../examples/dice-plugin");

/** Writes a plugin folder; its module writes <dir>/EVALUATED when (and only when) it is imported. */
function writePlugin(root: string, id: string, body: string, manifest: Record<string, unknown> = {}): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "simpleclaw.plugin.json"), JSON.stringify({ id, name: id, version: "0.1.0", entry: "index.mjs", ...manifest }));
  writeFileSync(
    join(dir, "index.mjs"),
    `import { writeFileSync } from "node:fs";\nwriteFileSync(new URL("./EVALUATED", import.meta.url), "yes");\n${body}\n`,
  );
  return dir;
}

async function boot(config: Record<string, unknown>, setup?: (dir: string) => void) {
  const model = await startFakeModelServer({ apiKey: "sk-plugin-model-0123456789" });
  onCleanup(() => model.close());
  const token = randomToken();
  const state = tempStateDir({
    gateway: { auth: { token } },
    agents: { defaults: { model: { primary: "fake/m" }, sandbox: { mode: "off" } } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: model.url, apiKey: model.apiKey } } },
    ...config,
  });
  setup?.(state.dir);
  const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
  onCleanup(() => gw.close());
  const chat = await chatClient(gw.url, token);
  const logs = () => readdirSync(join(state.dir, "logs")).map((f) => readFileSync(join(state.dir, "logs", f), "utf8")).join("\n");
  return { model, gw, chat, state, logs };
}

function offered(model: FakeModelServer): string[] {
  return model.requests.at(-1)?.toolNames ?? [];
}

describe("plugins in the gateway", () => {
  it("an installed, allowed plugin's tool is called by the agent and its /command answers without the model", async () => {
    const state = tempStateDir({});
    const install = await runCli(["plugins", "install", DICE, "--allow"], state.env);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/Installed dice@1\.0\.0/);
    expect(install.stdout).toMatch(/Added dice to plugins\.allow/);

    const s = await boot({ plugins: { allow: ["dice"] } }, (dir) => {
      // Reuse the installed copy: move the install into this gateway's state dir.
      cpSync(join(state.dir, "plugins"), join(dir, "plugins"), { recursive: true });
    });
    s.model.script({ toolCalls: [{ name: "roll_dice", input: { count: 2, sides: 6 } }] }, (req) => ({ text: `tool said: ${req.toolResults[0]!.content}` }));
    const end = await s.chat.ask("roll two dice");
    expect(end.state).toBe("final");
    expect((end as { text: string }).text).toMatch(/^tool said: rolled 2d6: [1-6], [1-6] \(total \d+\)$/);
    expect(offered(s.model)).toContain("roll_dice");

    const before = s.model.requests.length;
    const roll = await s.chat.ask("/roll 3d4");
    expect((roll as { text: string }).text).toMatch(/^3d4: [1-4], [1-4], [1-4] \(total \d+\)$/);
    expect(s.model.requests.length).toBe(before);
  });

  it("a plugin outside plugins.allow is never evaluated — not by the gateway, not by the CLI", async () => {
    let pluginsDir = "";
    const s = await boot({ plugins: { allow: ["dice"] } }, (dir) => {
      pluginsDir = join(dir, "plugins");
      writePlugin(pluginsDir, "sneaky", `export function register(api) { api.registerTool({ name: "sneaky", description: "x", inputSchema: api.z.object({}), execute: async () => "pwned" }); api.registerCli((p) => p.command("sneaky-cmd").action(() => console.log("ran"))); }`);
    });
    expect(existsSync(join(pluginsDir, "sneaky", "EVALUATED"))).toBe(false);
    s.model.script({ text: "ok" });
    await s.chat.ask("hi");
    expect(offered(s.model)).not.toContain("sneaky");
    expect(s.logs()).toMatch(/plugin not in plugins.allow; not loaded.*sneaky/);

    const cli = await runCli(["sneaky-cmd"], s.state.env);
    expect(cli.code).not.toBe(0);
    expect(cli.stdout).not.toContain("ran");
    const list = await runCli(["plugins", "list"], s.state.env);
    expect(list.stdout).toMatch(/sneaky@0\.1\.0 {2}blocked/);
    expect(existsSync(join(pluginsDir, "sneaky", "EVALUATED"))).toBe(false);

    // Control: once allowed, the same module does run (so the marker proves what it claims).
    writeConfig(s.state.dir, { ...JSON.parse(readFileSync(join(s.state.dir, "simpleclaw.json"), "utf8")), plugins: { allow: ["sneaky"] } });
    const allowed = await runCli(["sneaky-cmd"], s.state.env);
    expect(allowed.stdout).toContain("ran");
    expect(existsSync(join(pluginsDir, "sneaky", "EVALUATED"))).toBe(true);
  });

  it("an entry escaping the plugin folder is refused and never imported", async () => {
    let root = "";
    const s = await boot({ plugins: { allow: ["escape"] } }, (dir) => {
      root = join(dir, "plugins");
      const p = writePlugin(root, "escape", "export function register() {}", { entry: "../evil.mjs" });
      writeFileSync(join(root, "evil.mjs"), `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(join(p, "EVALUATED"))}, "yes");\nexport function register() {}\n`);
    });
    expect(existsSync(join(root, "escape", "EVALUATED"))).toBe(false);
    expect(s.logs()).toMatch(/plugin refused.*escapes the plugin folder/);
  });

  it("a plugin with a bad config is refused with the key path; the gateway runs without it", async () => {
    const s = await boot({ plugins: { allow: ["dice"], load: { paths: [DICE] }, entries: { dice: { config: { maxDice: "lots" } } } } });
    expect(s.logs()).toMatch(/invalid config.*plugins\.entries\.dice\.config\.maxDice/);
    s.model.script({ text: "fine" });
    const end = await s.chat.ask("hello");
    expect((end as { text: string }).text).toBe("fine");
    expect(offered(s.model)).not.toContain("roll_dice");
    const list = await runCli(["plugins", "info", "dice"], s.state.env);
    expect(list.stdout).toMatch(/status: {2}loads/); // manifests only: config errors show at load time
  });

  it("tool policy governs plugin tools: group:plugins denied → not offered, and a forced call is refused", async () => {
    const s = await boot({ plugins: { allow: ["dice"], load: { paths: [DICE] } }, tools: { deny: ["group:plugins"] } });
    s.model.script({ toolCalls: [{ name: "roll_dice", input: {} }] }, (req) => ({ text: req.toolResults[0]!.content }));
    const end = await s.chat.ask("roll");
    expect(offered(s.model)).not.toContain("roll_dice");
    expect((end as { text: string }).text).toMatch(/roll_dice.*not allowed|unknown tool "roll_dice"/);
    expect((end as { text: string }).text).not.toMatch(/rolled/);
  });

  it("a plugin throwing in register() leaves nothing registered and the gateway up", async () => {
    const s = await boot({ plugins: { allow: ["broken"] } }, (dir) => {
      writePlugin(join(dir, "plugins"), "broken", `export function register(api) { api.registerTool({ name: "half_tool", description: "x", inputSchema: api.z.object({}), execute: async () => "half" }); throw new Error("boom"); }`);
    });
    expect(s.logs()).toMatch(/plugin failed to load.*register failed: boom/);
    s.model.script({ toolCalls: [{ name: "half_tool", input: {} }] }, (req) => ({ text: req.toolResults[0]!.content }));
    const end = await s.chat.ask("call it");
    expect((end as { text: string }).text).toMatch(/unknown tool "half_tool"/);
  });

  it("hooks: before_tool_call can veto a built-in tool; message:received and gateway:start are delivered", async () => {
    let dir = "";
    const s = await boot({ plugins: { allow: ["guard"] } }, (d) => {
      dir = writePlugin(
        join(d, "plugins"),
        "guard",
        `import { appendFileSync } from "node:fs";
         const log = (l) => appendFileSync(new URL("./events.log", import.meta.url), l + "\\n");
         export function register(api) {
           api.on("gateway:start", (e) => log("start " + e.url));
           api.on("message:received", (e) => log("msg " + e.text));
           api.on("before_tool_call", (e) => (e.toolName === "write" ? { block: "no writing today" } : undefined));
         }`,
      );
    });
    s.model.script({ toolCalls: [{ name: "write", input: { path: "x.txt", content: "x" } }] }, (req) => ({ text: req.toolResults[0]!.content }));
    const end = await s.chat.ask("write a file");
    expect((end as { text: string }).text).toMatch(/blocked by plugin guard: no writing today/);
    const events = readFileSync(join(dir, "events.log"), "utf8");
    expect(events).toMatch(/^start ws:\/\/127\.0\.0\.1:\d+\/ws$/m);
    expect(events).toMatch(/^msg write a file$/m);
  });

  it("a plugin can provide a model provider", async () => {
    const fake = await startFakeModelServer({ apiKey: "sk-plugin-provider-0123456789" });
    onCleanup(() => fake.close());
    const sdk = pathToFileURL(createRequire(import.meta.url).resolve("@ai-sdk/openai-compatible")).href;
    const s = await boot({ plugins: { allow: ["myprov"] }, agents: { defaults: { model: { primary: "myprov/tiny" }, sandbox: { mode: "off" } } } }, (d) => {
      writePlugin(
        join(d, "plugins"),
        "myprov",
        `import { createOpenAICompatible } from ${JSON.stringify(sdk)};
         export function register(api) {
           const p = createOpenAICompatible({ name: "myprov", baseURL: ${JSON.stringify(fake.url)}, apiKey: ${JSON.stringify(fake.apiKey)}, includeUsage: true });
           api.registerProvider({ id: "myprov", createModel: (id) => p(id) });
         }`,
      );
    });
    fake.script({ text: "hello from the plugin's provider" });
    const end = await s.chat.ask("hi");
    expect((end as { text: string }).text).toBe("hello from the plugin's provider");
    expect(fake.requests[0]!.model).toBe("tiny");
    expect(s.model.requests).toHaveLength(0);
  });
});

describe("plugin integrity: symbolic links cannot smuggle in new code", () => {
  /** A plugin whose /which command answers with what its linked module says. */
  function linkedPlugin(root: string): string {
    const src = join(root, "src-linky");
    mkdirSync(join(src, "lib"), { recursive: true });
    writeFileSync(join(src, "simpleclaw.plugin.json"), JSON.stringify({ id: "linky", name: "linky", version: "0.1.0", entry: "index.mjs" }));
    writeFileSync(join(src, "index.mjs"), `import { impl } from "./impl.mjs";\nexport function register(api) { api.registerCommand({ name: "which", description: "x", handler: () => impl() }); }\n`);
    writeFileSync(join(src, "lib", "real.mjs"), `export const impl = () => "original code";\n`);
    symlinkSync("lib/real.mjs", join(src, "impl.mjs")); // relative, inside the plugin
    return src;
  }

  it("install copies what an inside link points to; editing the install source afterwards changes nothing that runs", async () => {
    const state = tempStateDir({});
    const src = linkedPlugin(state.dir);
    const r = await runCli(["plugins", "install", src, "--allow"], state.env);
    expect(r.code, r.stderr).toBe(0);
    const installed = join(state.dir, "plugins", "linky");
    expect(lstatSync(join(installed, "impl.mjs")).isFile()).toBe(true); // a copy, not a link back to src
    // The old attack: edit the source file the installed copy used to link to.
    writeFileSync(join(src, "lib", "real.mjs"), `export const impl = () => "MODIFIED code";\n`);

    const s = await boot({ plugins: { allow: ["linky"] } }, (dir) => cpSync(join(state.dir, "plugins"), join(dir, "plugins"), { recursive: true }));
    const which = await s.chat.ask("/which");
    expect((which as { text: string }).text).toBe("original code");
    expect((await runCli(["plugins", "list"], s.state.env)).stdout).toMatch(/linky@0\.1\.0 {2}loads pinned sha512-/);
  });

  it("a link re-pointed inside the installed copy: the gateway refuses the plugin before importing it; list and audit report it", async () => {
    const state = tempStateDir({});
    const r = await runCli(["plugins", "install", linkedPlugin(state.dir), "--allow"], state.env);
    expect(r.code, r.stderr).toBe(0);
    let installed = "";
    const marker = join(state.dir, "EVALUATED");
    const s = await boot({ plugins: { allow: ["linky"] } }, (dir) => {
      cpSync(join(state.dir, "plugins"), join(dir, "plugins"), { recursive: true });
      installed = join(dir, "plugins", "linky");
      const evil = join(dir, "evil.mjs");
      writeFileSync(evil, `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "yes");\nexport const impl = () => "MODIFIED code";\n`);
      rmSync(join(installed, "impl.mjs"));
      symlinkSync(evil, join(installed, "impl.mjs"));
    });
    s.model.script({ text: "the model answered" });
    const which = await s.chat.ask("/which");
    expect((which as { text: string }).text).not.toMatch(/code/);
    expect(existsSync(marker)).toBe(false);
    expect(s.logs()).toMatch(/plugin refused: integrity check failed, not loaded.*linky/);
    const list = await runCli(["plugins", "list"], s.state.env);
    expect(list.stdout).toMatch(/linky@0\.1\.0 {2}error pinned sha512-.*INTEGRITY MISMATCH/);
    expect(list.stdout).toMatch(/integrity check failed: its files no longer match the hash recorded when it was installed.*plugins install .*--force/);
    const audit = JSON.parse((await runCli(["security", "audit", "--json"], s.state.env)).stdout) as { findings: Array<{ checkId: string; severity: string; detail: string }> };
    expect(audit.findings.find((f) => f.checkId === "plugins.integrity_mismatch")).toMatchObject({ severity: "critical", detail: expect.stringMatching(/^linky: /) });
    expect(existsSync(marker)).toBe(false); // neither the list nor the audit imported it
  });
});

describe("plugins CLI", () => {
  it("install pins version and hash, does not allow without --allow; remove cleans up", async () => {
    const state = tempStateDir({ plugins: { allow: [] } });
    const r = await runCli(["plugins", "install", DICE], state.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/not in plugins\.allow, so it will not load/);
    const installs = JSON.parse(readFileSync(join(state.dir, "plugins", "installs.json"), "utf8"));
    expect(installs.dice).toMatchObject({ id: "dice", version: "1.0.0", kind: "path", integrity: expect.stringMatching(/^sha512-/) });
    expect(JSON.parse(readFileSync(state.configPath, "utf8")).plugins.allow).toEqual([]);

    const again = await runCli(["plugins", "install", DICE], state.env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already installed.*--force/);

    // Control: untouched, it is pinned and not reported.
    expect((await runCli(["plugins", "list"], state.env)).stdout).not.toMatch(/MODIFIED/);
    const clean = JSON.parse((await runCli(["security", "audit", "--json"], state.env)).stdout) as { findings: Array<{ checkId: string }> };
    expect(clean.findings.map((f) => f.checkId)).not.toContain("plugins.integrity_mismatch");
    // Tampering with the installed files is visible.
    writeFileSync(join(state.dir, "plugins", "dice", "index.mjs"), "export function register() {}\n");
    const list = await runCli(["plugins", "list"], state.env);
    expect(list.stdout).toMatch(/dice@1\.0\.0 {2}blocked pinned sha512-.*MODIFIED since install: INTEGRITY MISMATCH/);
    const audit = await runCli(["security", "audit", "--json"], state.env);
    const mismatch = (JSON.parse(audit.stdout) as { findings: Array<{ checkId: string; severity: string; detail: string }> }).findings.find((f) => f.checkId === "plugins.integrity_mismatch");
    expect(mismatch).toMatchObject({ severity: "critical", detail: expect.stringMatching(/dice: its files no longer match/) });

    const rm = await runCli(["plugins", "remove", "dice"], state.env);
    expect(rm.code).toBe(0);
    expect(existsSync(join(state.dir, "plugins", "dice"))).toBe(false);
    expect(JSON.parse(readFileSync(join(state.dir, "plugins", "installs.json"), "utf8")).dice).toBeUndefined();
  });

  it("a link to a file outside the plugin folder is refused at install; nothing is installed", async () => {
    const state = tempStateDir({});
    const src = join(state.dir, "src-outside");
    mkdirSync(src);
    writeFileSync(join(src, "simpleclaw.plugin.json"), JSON.stringify({ id: "outside", name: "o", version: "0.1.0", entry: "index.mjs" }));
    writeFileSync(join(state.dir, "elsewhere.mjs"), "export function register() {}\n");
    symlinkSync(join(state.dir, "elsewhere.mjs"), join(src, "index.mjs"));
    const r = await runCli(["plugins", "install", src, "--allow"], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: index\.mjs in .* is a symbolic link to .*elsewhere\.mjs, outside the plugin folder/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(state.dir, "plugins", "outside"))).toBe(false);
  });

  it("installs an npm tarball with npm's integrity, without running its scripts", async () => {
    const state = tempStateDir({});
    const pkgDir = join(state.dir, "src-pkg");
    mkdirSync(pkgDir);
    writeFileSync(join(pkgDir, "package.json"), JSON.stringify({ name: "simpleclaw-plugin-dice", version: "1.0.0", scripts: { prepare: "touch SCRIPT_RAN" } }));
    for (const f of ["simpleclaw.plugin.json", "index.mjs"]) writeFileSync(join(pkgDir, f), readFileSync(join(DICE, f)));
    const tgz = join(state.dir, "dice.tgz");
    const { execFileSync } = await import("node:child_process");
    const out = JSON.parse(execFileSync("npm", ["pack", pkgDir, "--json", "--ignore-scripts", "--pack-destination", state.dir], { encoding: "utf8" })) as Array<{ filename: string; integrity: string }>;
    const { renameSync } = await import("node:fs");
    renameSync(join(state.dir, out[0]!.filename), tgz);
    const r = await runCli(["plugins", "install", tgz, "--allow"], state.env);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(readFileSync(join(state.dir, "plugins", "installs.json"), "utf8")).dice;
    expect(rec).toMatchObject({ kind: "npm", version: "1.0.0", integrity: out[0]!.integrity });
    expect(existsSync(join(state.dir, "plugins", "dice", "SCRIPT_RAN"))).toBe(false);
    expect(existsSync(join(pkgDir, "SCRIPT_RAN"))).toBe(false);
  });

  it("bad input: not a plugin, unknown id, bad id", async () => {
    const state = tempStateDir({});
    const notPlugin = join(state.dir, "empty");
    mkdirSync(notPlugin);
    const r = await runCli(["plugins", "install", notPlugin], state.env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: not a SimpleClaw plugin: .*simpleclaw\.plugin\.json is missing/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await runCli(["plugins", "info", "nope"], state.env)).stderr).toMatch(/no plugin "nope" found/);
    expect((await runCli(["plugins", "disable", "../x"], state.env)).stderr).toMatch(/is not a plugin id/);
  });
});

describe("a plugin channel", () => {
  const LOOPCHAT = `import { createServer } from "node:http";
export function register(api) {
  api.registerChannel({
    id: "loopchat",
    create: () => {
      let server;
      const sent = [];
      let n = 0;
      return {
        id: "loopchat",
        textLimit: 500,
        async start(onMessage) {
          server = createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
              if (req.method === "GET") return res.end(JSON.stringify(sent));
              const m = JSON.parse(body);
              onMessage({ channel: m.claim ?? "loopchat", accountId: "default", messageId: String(++n), sender: { id: m.senderId }, chat: { type: "direct", id: m.senderId }, text: m.text, mentioned: false });
              res.end("ok");
            });
          });
          await new Promise((r) => server.listen(api.config.port, "127.0.0.1", r));
        },
        async stop() {
          await new Promise((r) => server.close(r));
        },
        async sendText(target, text) {
          sent.push({ chatId: target.chatId, text });
        },
      };
    },
  });
}`;

  async function freePort(): Promise<number> {
    const { createServer } = await import("node:net");
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    return port;
  }

  it("goes through the same pairing and access control as built-in channels, and cannot claim another channel", async () => {
    const port = await freePort();
    const s = await boot(
      { plugins: { allow: ["loopchat"], entries: { loopchat: { config: { port } } } }, channels: { custom: { loopchat: { enabled: true } } } },
      (dir) => writePlugin(join(dir, "plugins"), "loopchat", LOOPCHAT, { configSchema: { type: "object", properties: { port: { type: "integer" } }, required: ["port"] } }),
    );
    const post = (body: unknown) => fetch(`http://127.0.0.1:${port}/in`, { method: "POST", body: JSON.stringify(body) });
    const sent = async () => (await (await fetch(`http://127.0.0.1:${port}/sent`)).json()) as Array<{ chatId: string; text: string }>;
    const waitSent = async (n: number) => {
      for (let i = 0; i < 200; i++) {
        const out = await sent();
        if (out.length >= n) return out;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`fewer than ${n} messages sent: ${JSON.stringify(await sent())}`);
    };

    await post({ senderId: "u1", text: "hi there" });
    const [first] = await waitSent(1);
    const code = /pairing code is ([A-Z2-9]{8})/.exec(first!.text)?.[1];
    expect(code).toBeTruthy();
    expect(s.model.requests).toHaveLength(0);

    const approve = await runCli(["pairing", "approve", "loopchat", code!], s.state.env);
    expect(approve.code, approve.stderr).toBe(0);
    s.model.script({ text: "echo from the agent" });
    await post({ senderId: "u1", text: "now?" });
    const out = await waitSent(2);
    expect(out[1]).toEqual({ chatId: "u1", text: "echo from the agent" });

    // An adapter claiming to be another channel is dropped before access control.
    await post({ senderId: "u1", text: "as telegram", claim: "telegram" });
    await new Promise((r) => setTimeout(r, 300));
    expect(await sent()).toHaveLength(2);
    expect(s.logs()).toMatch(/adapter claimed another channel/);
  });

  it("configured without an allowed plugin it does not run, and channels status says why", async () => {
    const s = await boot({ plugins: { allow: [] }, channels: { custom: { loopchat: { enabled: true } } } }, (dir) =>
      writePlugin(join(dir, "plugins"), "loopchat", LOOPCHAT),
    );
    expect(s.gw.ctx.channels.status().find((c) => c.channel === "loopchat")).toMatchObject({ enabled: true, running: false, error: expect.stringMatching(/no loaded plugin provides channel "loopchat"/) });
  });

  it("the audit covers plugin channels: an open DM policy is critical and names its real config path", async () => {
    const state = tempStateDir({ channels: { custom: { loopchat: { enabled: true, dmPolicy: "open", allowFrom: ["*"] } } } });
    const r = await runCli(["security", "audit", "--json"], state.env);
    const f = (JSON.parse(r.stdout) as { findings: Array<{ checkId: string; severity: string; detail: string }> }).findings.find((x) => x.checkId === "channels.loopchat.dm_policy_open");
    expect(f).toMatchObject({ severity: "critical" });
    expect(f!.detail).toContain("channels.custom.loopchat.dmPolicy");
  });
});
