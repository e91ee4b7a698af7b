// Exec end to end: a scripted (prompt-injected) model asks for shell commands through
// a real gateway; the allowlist, the owner's approvals over WebSocket, timeouts,
// restarts and the bwrap sandbox decide what really runs.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startGateway } from "../src/gateway/start.js";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { chatClient, type ChatClient } from "./helpers/chat.js";
import { cleanupAll, onCleanup, randomToken, tempStateDir } from "./helpers/gateway.js";
import { missing } from "./helpers/system-deps.js";
import { waitFor } from "./helpers/wait.js";

afterEach(cleanupAll);

async function setup(extra: Record<string, any> = {}, approvals?: unknown) {
  const fake = await startFakeModelServer({ apiKey: "sk-exec-test-0123456789abcdef" });
  onCleanup(() => fake.close());
  const token = randomToken();
  const config = {
    gateway: { auth: { token } },
    agents: { defaults: { model: { primary: "fake/m" } } },
    models: { providers: { fake: { api: "anthropic-messages", baseUrl: fake.url, apiKey: fake.apiKey } } },
    ...extra,
  };
  const state = tempStateDir(config);
  if (approvals) writeFileSync(join(state.dir, "exec-approvals.json"), JSON.stringify(approvals), { mode: 0o600 });
  const boot = async () => {
    const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
    onCleanup(() => gw.close());
    const chat = await chatClient(gw.url, token);
    return { gw, chat };
  };
  const first = await boot();
  return { fake, token, dir: state.dir, workspace: join(state.dir, "workspace"), boot, ...first };
}

/** Script: the model runs `command` with exec, then repeats the tool result as its answer. */
function execTurns(fake: FakeModelServer, command: string, extra: Record<string, unknown> = {}) {
  fake.script({ toolCalls: [{ name: "exec", input: { command, ...extra } }] }, (req) => ({ text: req.toolResults.at(-1)?.content ?? "(none)" }));
}

function approvalRequests(chat: ChatClient) {
  const seen: any[] = [];
  chat.client.onEvent((event, payload) => {
    if (event === "exec.approval.requested") seen.push(payload);
  });
  return seen;
}


const LS = { version: 1, agents: { main: { allowlist: [{ id: "ls", pattern: "/usr/bin/ls", args: ["**"] }, { id: "cat", pattern: "/usr/bin/cat", args: ["**"] }] } } };

describe("exec approvals through the gateway", () => {
  it("runs an allowlisted command without asking", async () => {
    const { fake, chat, workspace } = await setup({}, LS);
    const asked = approvalRequests(chat);
    execTurns(fake, "ls -1");
    const end = await chat.ask("list files");
    expect(end.text).toMatch(/^exit code 0/);
    expect(end.text).toContain("AGENTS.md");
    expect(asked).toHaveLength(0);
    expect(existsSync(workspace)).toBe(true);
  });

  it("asks on a miss; the operator approves once over the WebSocket and it runs", async () => {
    const { fake, chat, workspace } = await setup({}, LS);
    const asked = approvalRequests(chat);
    execTurns(fake, "ls; touch approved-marker");
    const ack = await chat.send("do it");
    const req = await waitFor(() => asked[0]);
    expect(req).toMatchObject({ command: "ls; touch approved-marker", agentId: "main", sessionKey: "agent:main:main", cwd: workspace });
    expect(existsSync(join(workspace, "approved-marker"))).toBe(false); // paused, not run
    expect(chat.of(ack.runId).some((e) => e.state === "status" && /waiting for approval/.test(e.text ?? ""))).toBe(true);
    await chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" });
    const end = await chat.end(ack.runId);
    expect(end.text).toMatch(/^exit code 0 \(approved once by operator/);
    expect(existsSync(join(workspace, "approved-marker"))).toBe(true);
    // allow-once added nothing to the allowlist
    await expect(chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a denial means nothing runs and the model is told", async () => {
    const { fake, chat, workspace } = await setup({}, LS);
    const asked = approvalRequests(chat);
    execTurns(fake, "rm -rf ./memory");
    const ack = await chat.send("clean up");
    const req = await waitFor(() => asked[0]);
    await chat.client.call("exec.approval.resolve", { id: req.id, decision: "deny" });
    const end = await chat.end(ack.runId);
    expect(end.text).toMatch(/the owner denied this command/);
    expect(existsSync(join(workspace, "memory"))).toBe(true);
  });

  it("no answer within the timeout → denied, not run", async () => {
    const { fake, chat, workspace } = await setup({ tools: { exec: { askTimeoutSeconds: 1 } } }, LS);
    execTurns(fake, "touch timeout-marker");
    const end = await chat.ask("go");
    expect(end.text).toMatch(/nobody answered the approval request within 1 s, so it was denied/);
    expect(existsSync(join(workspace, "timeout-marker"))).toBe(false);
  });

  it("with nobody able to answer, askFallback applies at once", async () => {
    const { fake, chat, gw, token, workspace } = await setup({}, LS);
    // the model takes a moment; the only operator client leaves before the tool asks
    fake.script({ toolCalls: [{ name: "exec", input: { command: "touch nobody-marker" } }], delayMs: 400 }, (req) => ({ text: req.toolResults.at(-1)!.content }));
    const ack = await chat.send("go");
    await chat.client.close();
    const watcher = await waitFor(() => fake.requests.length >= 2 || undefined, 10_000);
    expect(watcher).toBe(true);
    expect(fake.requests[1]!.toolResults[0]!.content).toMatch(/no operator client .* denied at once \(askFallback: deny\)/);
    expect(existsSync(join(workspace, "nobody-marker"))).toBe(false);
    expect(ack.runId).toBeTruthy();
    expect(gw.ctx.approvals.list()).toEqual([]);
    expect(token).toBeTruthy();
  });

  it("a pending approval does not survive a restart", async () => {
    const s = await setup({}, LS);
    const asked = approvalRequests(s.chat);
    execTurns(s.fake, "touch restart-marker");
    await s.chat.send("go");
    const req = await waitFor(() => asked[0]);
    await s.gw.close();
    const again = await s.boot();
    await expect(again.chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(s.workspace, "restart-marker"))).toBe(false);
  });

  it("allow-always adds a precise entry; the same command then runs without asking, a variant still asks", async () => {
    const { fake, chat, dir } = await setup({}, LS);
    const asked = approvalRequests(chat);
    execTurns(fake, "echo hello");
    const ack = await chat.send("say hello");
    const req = await waitFor(() => asked[0]);
    await chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-always" });
    expect((await chat.end(ack.runId)).text).toMatch(/added to the allowlist/);
    const file = JSON.parse(readFileSync(join(dir, "exec-approvals.json"), "utf8"));
    const added = file.agents.main.allowlist.find((e: any) => e.source === "allow-always");
    expect(added.pattern).toMatch(/\/echo$/);
    expect(added.args).toEqual(["hello"]);

    execTurns(fake, "echo hello");
    const again = await chat.ask("again");
    expect(again.text).toMatch(/^exit code 0\n--- stdout ---\nhello/);
    expect(asked).toHaveLength(1);

    execTurns(fake, "echo hello; id", {});
    const variant = await chat.send("variant");
    await waitFor(() => asked[1]);
    await chat.client.call("exec.approval.resolve", { id: asked[1].id, decision: "deny" });
    await chat.end(variant.runId);
  });

  it("what the gate checked must still hold after the wait: a redirect target swapped for a link while the approval is pending is refused, not written", async () => {
    const { fake, chat, workspace, dir } = await setup({}, LS);
    const asked = approvalRequests(chat);
    mkdirSync(join(workspace, "out"), { recursive: true });
    writeFileSync(join(workspace, "notes.txt"), "notes\n");
    writeFileSync(join(workspace, "out", "report.txt"), "old\n");
    const victim = join(dir, "victim.txt"); // outside the workspace, e.g. ~/.bashrc
    writeFileSync(victim, "precious\n");
    // `cat … > out/report.txt` writes inside the workspace; `touch deployed` needs the owner's yes
    execTurns(fake, "cat notes.txt > out/report.txt; touch deployed");
    const ack = await chat.send("report");
    const req = await waitFor(() => asked[0]);
    // while the owner reads the prompt, another session of the agent swaps the target
    rmSync(join(workspace, "out", "report.txt"));
    symlinkSync(victim, join(workspace, "out", "report.txt"));
    await chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" });
    const end = await chat.end(ack.runId);
    expect(end.text).toMatch(/changed while the approval was pending/);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(existsSync(join(workspace, "deployed"))).toBe(false);
  });

  it("a command with a redirect inside the workspace still runs once approved when nothing changed (control)", async () => {
    const { fake, chat, workspace } = await setup({}, LS);
    const asked = approvalRequests(chat);
    mkdirSync(join(workspace, "out"), { recursive: true });
    writeFileSync(join(workspace, "notes.txt"), "notes\n");
    writeFileSync(join(workspace, "out", "report.txt"), "old\n");
    execTurns(fake, "cat notes.txt > out/report.txt; touch deployed");
    const ack = await chat.send("report");
    const req = await waitFor(() => asked[0]);
    await chat.client.call("exec.approval.resolve", { id: req.id, decision: "allow-once" });
    expect((await chat.end(ack.runId)).text).toMatch(/^exit code 0 \(approved once/);
    expect(readFileSync(join(workspace, "out", "report.txt"), "utf8")).toBe("notes\n");
    expect(existsSync(join(workspace, "deployed"))).toBe(true);
  });

  it("/approve from the owner's chat answers a pending approval", async () => {
    const { fake, chat, workspace } = await setup({}, LS);
    const asked = approvalRequests(chat);
    execTurns(fake, "touch chat-approved");
    const ack = await chat.send("go", { sessionKey: "agent:main:main" });
    const req = await waitFor(() => asked[0]);
    const answer = await chat.ask(`/approve ${req.id}`);
    expect(answer.text).toBe(`Approval ${req.id}: allow-once.`);
    expect((await chat.end(ack.runId)).text).toMatch(/^exit code 0/);
    expect(existsSync(join(workspace, "chat-approved"))).toBe(true);
  });

  it("security deny refuses everything, even allowlisted commands; exec disabled is not even offered", async () => {
    const { fake, chat } = await setup({ tools: { exec: { security: "deny" } } }, LS);
    execTurns(fake, "ls");
    expect((await chat.ask("ls")).text).toMatch(/exec refused: exec is off/);

    const off = await setup({ tools: { exec: { enabled: false } } }, LS);
    execTurns(off.fake, "ls");
    const end = await off.chat.ask("ls");
    expect(off.fake.requests[0]!.toolNames).not.toContain("exec");
    expect(end.text).toMatch(/tools\.exec\.enabled is false/);
  });

  it("commands get a scrubbed environment: no gateway token, no API keys", async () => {
    process.env.SIMPLECLAW_TEST_CANARY_TOKEN = "canary-secret-value-123";
    onCleanup(() => delete process.env.SIMPLECLAW_TEST_CANARY_TOKEN);
    const { fake, chat, token } = await setup({ tools: { exec: { security: "full", ask: "off" } } });
    execTurns(fake, "env");
    const end = await chat.ask("env");
    expect(end.text).toMatch(/^exit code 0/);
    expect(end.text).not.toContain(token);
    expect(end.text).not.toContain("canary-secret-value-123");
    expect(end.text).not.toContain(fake.apiKey);
  });
});

describe("exec in the bwrap sandbox", async () => {
  const noBwrap = await missing("bubblewrap", import.meta.url);

  it.skipIf(noBwrap)("a non-main session runs sandboxed: no state dir, no shadow, no host writes, no network", async () => {
    const { fake, chat, dir } = await setup({ tools: { exec: { security: "full", ask: "off" } } });
    const key = "agent:main:direct:stranger";
    const run = async (command: string) => {
      execTurns(fake, command);
      return (await chat.ask("x", { sessionKey: key })).text ?? "";
    };
    expect(await run("echo inside > note.txt && cat note.txt")).toMatch(/^exit code 0 \[sandbox: bwrap\][\s\S]*inside/);
    expect(await run(`cat ${join(dir, "simpleclaw.json")}`)).toMatch(/^exit code [1-9]/);
    expect(await run("cat /etc/shadow")).toMatch(/^exit code [1-9]/);
    // whatever the shell reports inside, nothing lands in the host's state dir
    await run(`echo x > ${join(dir, "escaped.txt")}; echo y > ${join(dir, "simpleclaw.json")}`);
    expect(existsSync(join(dir, "escaped.txt"))).toBe(false);
    expect(readFileSync(join(dir, "simpleclaw.json"), "utf8")).toContain("gateway");
    expect(await run("ls /proc | grep -c '^[0-9]'")).toMatch(/stdout ---\n[1-9]\n/); // a handful of sandbox pids only
    // a server on the host's loopback: the sandbox has its own network namespace and cannot reach it
    let hits = 0;
    const server = createServer((sock) => {
      hits++;
      sock.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const net = await run(`bash -c 'echo hi > /dev/tcp/127.0.0.1/${port}' && echo connected`);
    expect(net).not.toContain("connected");
    expect(hits).toBe(0);
  });

  it.skipIf(noBwrap)("elevated exec leaves the sandbox only when tools.elevated allows it", async () => {
    const off = await setup({ tools: { exec: { security: "full", ask: "off" } } });
    execTurns(off.fake, "id -u", { elevated: true });
    const refused = await off.chat.ask("x", { sessionKey: "agent:main:direct:someone" });
    expect(refused.text).toMatch(/elevated exec refused: tools\.elevated\.enabled is false/);

    const on = await setup({ tools: { exec: { security: "full", ask: "off" }, elevated: { enabled: true } } });
    execTurns(on.fake, "echo host", { elevated: true });
    const host = await on.chat.ask("x", { sessionKey: "agent:main:direct:someone" });
    expect(host.text).toMatch(/^exit code 0\n--- stdout ---\nhost/);
    expect(host.text).not.toContain("[sandbox:");
  });

  it.skipIf(noBwrap)("file tools in a sandboxed session get the sandbox's workspace access", async () => {
    const { fake, chat, workspace } = await setup({ agents: { defaults: { model: { primary: "fake/m" }, sandbox: { workspaceAccess: "ro" } } } });
    fake.script({ toolCalls: [{ name: "write", input: { path: "ro.txt", content: "x" } }, { name: "read", input: { path: "AGENTS.md" } }] }, (req) => ({
      text: req.toolResults.map((r) => r.content.slice(0, 80)).join(" | "),
    }));
    const end = await chat.ask("x", { sessionKey: "agent:main:direct:someone" });
    expect(end.text).toMatch(/write cannot change files: this session is sandboxed with a read-only workspace/);
    expect(end.text).toMatch(/Operating rules/);
    expect(existsSync(join(workspace, "ro.txt"))).toBe(false);
  });

  it.skipIf(noBwrap)("the owner's main session is not sandboxed under non-main", async () => {
    const { fake, chat, dir } = await setup({ tools: { exec: { security: "full", ask: "off" } } });
    execTurns(fake, `cat ${join(dir, "simpleclaw.json")}`);
    const end = await chat.ask("x");
    expect(end.text).toMatch(/^exit code 0/);
    expect(end.text).not.toContain("[sandbox:");
  });
});
