// `simpleclaw tui` end to end: the real CLI (Node 22 from node_modules) runs in a real
// pseudo-terminal (tmux), against a real in-process gateway whose model is the fake model
// server. Keys go in with `send-keys`; what the operator would see comes back from
// `capture-pane`. Every wait polls the screen with a deadline.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { chatClient } from "./helpers/chat.js";
import { BIN, REPO_ROOT, cleanupAll, onCleanup, sleep, startTestGateway, tempStateDir, type Env, type TestGateway } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";

afterEach(cleanupAll);

const NODE = join(REPO_ROOT, "node_modules", ".bin", "node");

// These tests are the only proof the TUI works in a terminal: without tmux they are skipped
// and the run ends with a line saying so; .ci/run makes that a failure (test/helpers/system-deps.ts).
const noTmux = await missing("tmux", import.meta.url);

beforeAll(() => {
  if (noTmux) return;
  if (!existsSync(NODE)) throw new Error(`${NODE} is missing; run npm install (the project's Node 22 runs the TUI).`);
  if (!existsSync(join(REPO_ROOT, "dist", "tui", "app.js"))) throw new Error("dist/tui/app.js is missing; run `npm run build` first.");
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
let paneCounter = 0;

interface Pane {
  /** The whole pane including scrollback, wrapped lines joined. */
  screen(): string;
  /** Sends tmux key names (Enter, C-c, C-d) or single characters. */
  keys(...keys: string[]): void;
  /** Types text literally, then Enter. */
  line(text: string): void;
  /** Pastes text the way a terminal does (tmux paste-buffer -p: bracketed when the app asked; LF becomes CR). */
  paste(text: string): void;
  /** Polls the screen until `want` matches; fails with the screen on timeout. */
  waitFor(want: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
}

/** Starts `node bin/simpleclaw.mjs tui …args` in a 120x40 tmux pane on its own tmux server. */
function startTui(args: string[], env: Env): Pane {
  // A tmux server of its own per pane, on a socket in a temp dir removed at cleanup.
  const sockDir = mkdtempSync(join(tmpdir(), "simpleclaw-tui-tmux-"));
  const socket = join(sockDir, `s${++paneCounter}`);
  onCleanup(() => rmSync(sockDir, { recursive: true, force: true }));
  const tmux = (...a: string[]) => execFileSync("tmux", ["-S", socket, ...a], { encoding: "utf8" });
  const envArgs = Object.entries({ NO_COLOR: "1", ...env })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quote(v!)}`)
    .join(" ");
  const cmd = `cd ${quote(REPO_ROOT)} && env -u NODE_OPTIONS ${envArgs} ${quote(NODE)} ${quote(BIN)} tui ${args.map(quote).join(" ")}; echo "[tui exited $?]"; sleep 3600`;
  // /bin/sh explicitly (as argv, so tmux does not hand it to the user's $SHELL).
  tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "tui", "/bin/sh", "-c", cmd);
  onCleanup(() => spawnSync("tmux", ["-S", socket, "kill-server"]));
  const screen = () => tmux("capture-pane", "-p", "-J", "-t", "tui", "-S", "-");
  return {
    screen,
    keys: (...keys) => void tmux("send-keys", "-t", "tui", ...keys),
    line: (text) => {
      tmux("send-keys", "-t", "tui", "-l", text);
      tmux("send-keys", "-t", "tui", "Enter");
    },
    paste: (text) => {
      tmux("set-buffer", "-b", "p", "--", text);
      tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "tui");
    },
    async waitFor(want, timeoutMs = 15_000) {
      const test = typeof want === "function" ? want : (s: string) => want.test(s);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        if (test(s)) return s;
        if (Date.now() > deadline) throw new Error(`the TUI screen did not show ${String(want)} within ${timeoutMs} ms; it shows:\n${s}`);
        await sleep(100);
      }
    },
  };
}

async function gatewayWithFakeModel(extra: Record<string, unknown> = {}): Promise<{ gw: TestGateway; fake: FakeModelServer; workspace: string }> {
  const fake = await startFakeModelServer({ apiKey: "sk-tui-test-0123456789abcdef" });
  onCleanup(() => fake.close());
  const gw = await startTestGateway({
    agents: { defaults: { model: { primary: "fake/m" }, sandbox: { mode: "off" } } },
    models: { providers: { fake: { api: "anthropic-messages", baseUrl: fake.url, apiKey: fake.apiKey } } },
    ...extra,
  });
  return { gw, fake, workspace: join(gw.dir, "workspace") };
}

/** The last non-empty line of the screen: the prompt, while the TUI runs. */
const lastLine = (s: string) => s.trimEnd().split("\n").at(-1)!.trim();

async function waitFile(path: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe.skipIf(noTmux)("simpleclaw tui in a terminal", { timeout: 60_000 }, () => {
  it("finds the gateway from the local config, streams a reply, shows the status line, /status /export-session /new go to the gateway, Ctrl-C stops a reply", async () => {
    const { gw, fake } = await gatewayWithFakeModel();
    // No --url/--token: the port comes from SIMPLECLAW_GATEWAY_PORT, the token from the config.
    const pane = startTui([], { SIMPLECLAW_STATE_DIR: gw.dir, SIMPLECLAW_GATEWAY_PORT: String(gw.port) });
    let s = await pane.waitFor(/connected to ws:\/\/127\.0\.0\.1:\d+\/ws/);
    s = await pane.waitFor(/agent main · model fake\/m · session agent:main:main · sandbox off · idle/);
    expect(lastLine(s)).toBe("›");

    fake.script({ text: "alpha beta gamma delta", chunks: ["alpha ", "beta ", "gamma ", "delta"], chunkDelayMs: 700 });
    pane.line("hello there");
    // Streaming: part of the reply is on screen before the rest exists.
    s = await pane.waitFor(/^alpha beta/m);
    expect(s).not.toMatch(/alpha beta gamma delta/);
    expect(s).toMatch(/replying…/);
    s = await pane.waitFor(/^alpha beta gamma delta$/m);
    await pane.waitFor(/· idle/);
    expect(s).toMatch(/^› hello there$/m);
    expect(fake.requests.at(-1)?.lastUserText).toBe("hello there");

    // /status is answered by the gateway through chat.send.
    pane.line("/status");
    s = await pane.waitFor(/Sandbox: off for this session/);
    expect(s).toMatch(/Session: agent:main:main \(agent main\)/);
    expect(s).toMatch(/Model: fake\/m/);

    // /export-session and /new go to the gateway too (it writes the file on its machine).
    const exported = join(gw.dir, "tui-export.md");
    pane.line(`/export-session ${exported}`);
    await pane.waitFor(/tui-export\.md/);
    await waitFile(exported);
    expect(readFileSync(exported, "utf8")).toContain("hello there");
    pane.line("/new");
    await pane.waitFor(/Started a new conversation; the previous transcript is archived\./);

    // Ctrl-C while a reply streams stops it (chat.abort); the TUI keeps running.
    fake.script({ text: "one two three four five six", chunks: ["one ", "two ", "three ", "four ", "five ", "six"], chunkDelayMs: 1000 });
    pane.line("a slow one");
    await pane.waitFor(/^one/m);
    pane.keys("C-c");
    s = await pane.waitFor(/\[stopped\]/);
    expect(s).toMatch(/stopping the reply/);
    expect(s).not.toMatch(/one two three four five six/);
    await pane.waitFor(/· idle/);

    // Then /quit leaves with exit code 0.
    pane.line("/quit");
    await pane.waitFor(/\[tui exited 0\]/);
  });

  it("shows an exec approval inline; `a` allows it once and the command runs; one answered elsewhere is dismissed", async () => {
    const { gw, fake, workspace } = await gatewayWithFakeModel();
    const pane = startTui(["--url", gw.url, "--token", gw.token!], { SIMPLECLAW_STATE_DIR: gw.dir });
    await pane.waitFor(/· idle/);

    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch tui-approved-marker" } }] }, (req) => ({ text: `result: ${req.toolResults.at(-1)?.content}` }));
    pane.line("make the marker");
    let s = await pane.waitFor(/\[a\]llow once \/ \[A\]llow always \/ \[d\]eny ›/);
    expect(s).toMatch(/exec approval [0-9a-z]+ — agent main, session agent:main:main/);
    expect(s).toMatch(/^ {2}\$ touch tui-approved-marker$/m);
    expect(s).toMatch(/⚙ exec command="touch tui-approved-marker"/);
    expect(s).toMatch(/waiting for approval/);
    expect(existsSync(join(workspace, "tui-approved-marker"))).toBe(false);

    pane.keys("a");
    await waitFile(join(workspace, "tui-approved-marker"));
    s = await pane.waitFor(/^result: exit code 0/m);
    expect(s).toMatch(/approval [0-9a-z]+: allowed once — \$ touch tui-approved-marker/);
    expect(s).toMatch(/↳ exec: exit code 0/);
    await pane.waitFor(/· idle/);

    // A second approval answered by another operator client disappears from the TUI.
    const other = await chatClient(gw.url, gw.token);
    const asked: Array<{ id: string }> = [];
    other.client.onEvent((event, payload) => {
      if (event === "exec.approval.requested") asked.push(payload as { id: string });
    });
    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch tui-denied-marker" } }] }, (req) => ({ text: `second: ${req.toolResults.at(-1)?.content}` }));
    pane.line("make another");
    await pane.waitFor(/\$ touch tui-denied-marker/);
    while (asked.length === 0) await sleep(20);
    await other.client.call("exec.approval.resolve", { id: asked[0]!.id, decision: "deny" });
    s = await pane.waitFor(new RegExp(`approval ${asked[0]!.id}: denied elsewhere \\(by operator\\)`));
    s = await pane.waitFor(/^second: .*denied/m);
    await pane.waitFor((x) => /· idle/.test(x) && lastLine(x) === "›");
    expect(existsSync(join(workspace, "tui-denied-marker"))).toBe(false);

    pane.keys("C-d");
    await pane.waitFor(/\[tui exited 0\]/);
  });

  it("`!echo hi` asks once (the word yes), then runs on this machine; Ctrl-C twice quits", async () => {
    const { gw, fake } = await gatewayWithFakeModel();
    const local = mkdtempSync(join(tmpdir(), "simpleclaw-tui-local-"));
    onCleanup(() => rmSync(local, { recursive: true, force: true }));
    const pane = startTui(["--url", gw.url, "--token", gw.token!], { SIMPLECLAW_STATE_DIR: gw.dir });
    await pane.waitFor(/· idle/);

    pane.line("!echo hi");
    let s = await pane.waitFor(/run local commands on this machine\? type yes to allow/);
    expect(s).not.toMatch(/^hi$/m);
    pane.line("yes");
    s = await pane.waitFor(/^hi$/m);
    s = await pane.waitFor(/\[exit 0\]/);

    // Second command: no new question; its effect is on this machine's file system.
    const marker = join(local, "ran-locally");
    pane.line(`!echo second && touch ${marker}`);
    s = await pane.waitFor((x) => (x.match(/\[exit 0\]/g) ?? []).length === 2);
    expect(s).toMatch(/^second$/m);
    expect(existsSync(marker)).toBe(true);
    expect(s.match(/run local commands on this machine\?/g)).toHaveLength(1);
    // Nothing went to the agent.
    expect(fake.requests).toHaveLength(0);

    // A failing command reports its exit code.
    pane.line("!exit 3");
    await pane.waitFor(/\[exit 3\]/);

    pane.keys("C-c");
    await pane.waitFor(/press Ctrl-C again/);
    pane.keys("C-c");
    await pane.waitFor(/\[tui exited 0\]/);
  });

  it("a paste never runs a local command: pasted newlines stay in the input, a pasted or burst answer is not taken; typed input still works", async () => {
    const { gw, fake } = await gatewayWithFakeModel();
    const local = mkdtempSync(join(tmpdir(), "simpleclaw-tui-paste-"));
    onCleanup(() => rmSync(local, { recursive: true, force: true }));
    const mark = (n: number) => join(local, `MARK${n}`);
    const pane = startTui(["--url", gw.url, "--token", gw.token!], { SIMPLECLAW_STATE_DIR: gw.dir });
    await pane.waitFor(/· idle/);

    // The attack: one paste carrying a message, a "!" line and the answer "y"/"yes", each ended by a newline.
    pane.paste(`hello there\n!touch ${mark(1)}\ny\nyes\n`);
    let s = await pane.waitFor((x) => lastLine(x).includes(`!touch ${mark(1)}↵y↵yes↵`));
    await sleep(800);
    s = pane.screen();
    expect(existsSync(mark(1))).toBe(false);
    expect(s).not.toMatch(/run local commands on this machine/);
    expect(fake.requests).toHaveLength(0); // not even "hello there" was sent
    pane.keys("C-u"); // clear the pasted text
    await pane.waitFor((x) => lastLine(x) === "›");

    // A terminal without bracketed paste delivers the same bytes as one burst of keys: the
    // answer arrives inside the question's typing guard and is not taken.
    pane.keys("-l", `!touch ${mark(2)}`);
    pane.keys("Enter");
    pane.keys("-l", "yes");
    pane.keys("Enter");
    s = await pane.waitFor(/run local commands on this machine\? type yes to allow ›/);
    expect(lastLine(s)).toMatch(/type yes to allow ›$/); // the burst "yes" was dropped
    expect(existsSync(mark(2))).toBe(false);
    // Control: typed after the guard, the word yes allows it.
    pane.line("yes");
    await waitFile(mark(2));

    // Once allowed, a "!" line that came from a paste is still confirmed, every time …
    pane.paste(`!touch ${mark(3)}`);
    await pane.waitFor((x) => lastLine(x).endsWith(`!touch ${mark(3)}`));
    pane.keys("Enter");
    s = await pane.waitFor(/came from a paste/);
    await pane.waitFor(/type yes to allow ›/);
    pane.line("y"); // not the word: no
    await pane.waitFor(/not run\./);
    expect(existsSync(mark(3))).toBe(false);
    // … while a typed one runs as before.
    pane.line(`!touch ${mark(4)}`);
    await waitFile(mark(4));
    expect(fake.requests).toHaveLength(0);

    // Control: a pasted chat message with a newline is one message, sent by a typed Enter.
    fake.script({ text: "got it" });
    pane.paste("line one\nline two");
    await pane.waitFor((x) => lastLine(x).endsWith("line one↵line two"));
    pane.keys("Enter");
    await pane.waitFor(/got it/);
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests[0])).toContain("line one\\nline two");
    pane.line("/quit");
    await pane.waitFor(/\[tui exited 0\]/);
  });

  it("with tui.localShell false in the local config, `!echo hi` is refused and says why", async () => {
    const { gw } = await gatewayWithFakeModel();
    const operator = tempStateDir({ tui: { localShell: false } });
    const pane = startTui(["--url", gw.url, "--token", gw.token!, "--session", "agent:main:side"], { SIMPLECLAW_STATE_DIR: operator.dir });
    await pane.waitFor(/session agent:main:side · sandbox off · idle/);
    pane.line("!echo hi");
    const s = await pane.waitFor(/local shell is disabled: tui\.localShell is false in .*simpleclaw\.json/);
    expect(s).toMatch(/^! echo hi$/m);
    expect(s).not.toMatch(/run local commands on this machine/);
    expect(s).not.toMatch(/^hi$/m);
    pane.line("/quit");
    await pane.waitFor(/\[tui exited 0\]/);
  });

  it("says so and exits 1 when the gateway goes away", async () => {
    const { gw } = await gatewayWithFakeModel();
    const pane = startTui(["--url", gw.url, "--token", gw.token!], { SIMPLECLAW_STATE_DIR: gw.dir });
    await pane.waitFor(/· idle/);
    await gw.close();
    const s = await pane.waitFor(/\[tui exited \d+\]/);
    expect(s).toMatch(/the gateway is shutting down/);
    expect(s).toMatch(/connection to the gateway lost/);
    expect(s).toMatch(/\[tui exited 1\]/);
  });

  it("a wrong token is one error line and a non-zero exit code", async () => {
    const { gw } = await gatewayWithFakeModel();
    const pane = startTui(["--url", gw.url, "--token", "wrong-token-0123456789abcdefghij"], { SIMPLECLAW_STATE_DIR: gw.dir });
    const s = await pane.waitFor(/\[tui exited (\d+)\]/);
    const code = Number(/\[tui exited (\d+)\]/.exec(s)![1]);
    expect(code).not.toBe(0);
    const lines = s.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("[tui exited"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: UNAUTHORIZED: /);
  });
});
