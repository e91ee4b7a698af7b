// `simpleclaw tui`: a terminal chat client over the gateway WebSocket. Replies stream in
// as `chat` events arrive, tool calls show as one line each, exec approvals are answered
// with one key, and a line starting with `!` runs in a local shell on this machine.
// Bracketed paste is on: pasted text only ever lands in the input line (docs/tui.md), so
// a paste can neither submit a line nor answer a prompt.
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { emitKeypressEvents } from "node:readline";
import { parseSessionKey } from "../security/session-scope.js";
import { clientOptionsFromConfig, connect, type Flags } from "../protocol/local.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { version } from "../infra/version.js";
import { GatewayError, type GatewayClient } from "../protocol/client.js";
import { chatEvent } from "../protocol/schema.js";
import type { ChatEventView as ChatEventPayload } from "../protocol/results.js";
import {
  APPROVAL_CHOICES,
  TUI_HELP,
  approvalDecisionForKey,
  approvalLines,
  decisionText,
  describeSession,
  messageText,
  parseInput,
  sanitize,
  statusLine,
  toolCallLine,
  toolResultLine,
  truncate,
  type ApprovalDecision,
  type ApprovalRequest,
  type SessionInfo,
} from "./format.js";
import { LineEditor, type Key } from "./line-editor.js";
import { localShellSetting, runLocal, type LocalRun, type LocalShellSetting } from "./local-shell.js";
import { Screen, makeStyle, type LiveView, type Style } from "./screen.js";

export interface TuiFlags extends Flags {
  session?: string;
}

/** Keys pressed this soon after an approval prompt appears are not taken as an answer (typing guard). */
export const APPROVAL_ARM_MS = 500;
/** The local-shell question ignores keys for this long after it appears (same guard as approvals). */
export const LOCAL_CONFIRM_ARM_MS = APPROVAL_ARM_MS;
/** What must be typed to allow "!" commands. */
const CONFIRM_WORD = "yes";
/** Terminal modes: bracketed paste on / off. */
const PASTE_ON = "\x1b[?2004h";
const PASTE_OFF = "\x1b[?2004l";
/** A second Ctrl-C within this window quits. */
const CTRL_C_WINDOW_MS = 2000;
const HISTORY_SHOWN = 10;

export async function runTui(flags: TuiFlags): Promise<void> {
  const input = process.stdin;
  const output = process.stdout;
  if (!input.isTTY || !output.isTTY) {
    throw new UserError('simpleclaw tui needs an interactive terminal; for scripts use `simpleclaw agent -m "…"`.', EXIT.usage);
  }
  if (flags.session !== undefined && !parseSessionKey(flags.session)) {
    throw new UserError(`"${flags.session}" is not a session key; use agent:<agentId>:main or another agent:<agentId>:… key.`, EXIT.usage);
  }
  const shell = localShellSetting();
  const url = clientOptionsFromConfig(flags).url;
  const client = await connect(flags, { client: { name: "simpleclaw-tui", version, platform: process.platform } });
  try {
    const boot = await bootData(client, flags.session);
    const tui = new Tui(client, input, output, shell, boot, url);
    const code = await tui.run();
    if (code !== 0) process.exitCode = code;
  } catch (err) {
    if (err instanceof GatewayError) throw new UserError(`${err.code === "CONNECTION" ? "" : `${err.code}: `}${err.message}`);
    throw err;
  } finally {
    await client.close();
  }
}

interface Boot {
  info: SessionInfo;
  history: Array<{ role: string; message: unknown }>;
  pending: ApprovalRequest[];
}

/** What the status line and the first screen need, asked from the gateway. */
async function bootData(client: GatewayClient, session: string | undefined): Promise<Boot> {
  // chat.history resolves (and checks) the session: the default agent's main one when none is given.
  const h = await client.call<{ sessionKey: string; messages: Array<{ role: string; message: unknown }> }>("chat.history", {
    limit: HISTORY_SHOWN,
    ...(session ? { sessionKey: session } : {}),
  });
  let config: unknown;
  try {
    config = (await client.call<{ config: unknown }>("config.get")).config;
  } catch {
    config = undefined; // the status line then says "unknown" rather than guess
  }
  let pending: ApprovalRequest[] = [];
  try {
    pending = (await client.call<{ pending: ApprovalRequest[] }>("exec.approval.list")).pending;
  } catch {
    pending = [];
  }
  return { info: describeSession(config, h.sessionKey), history: h.messages, pending };
}

interface Approval extends ApprovalRequest {
  shownAt?: number;
}

class Tui {
  private style: Style;
  private screen: Screen;
  private editor = new LineEditor();
  private info: SessionInfo;
  private lastModel: string | undefined;
  /** Runs of this session that have not ended: runId → whether text was streamed. */
  private runs = new Map<string, { streamed: boolean }>();
  private ended = new Set<string>();
  private approvals: Approval[] = [];
  private answered = new Set<string>();
  private armTimer: NodeJS.Timeout | undefined;
  private confirm: { resolve: (yes: boolean) => void; shownAt: number; typed: string; timer?: NodeJS.Timeout } | undefined;
  /** Inside a bracketed paste (between ESC[200~ and ESC[201~). */
  private pasting = false;
  private localConfirmed = false;
  private local: LocalRun | undefined;
  private ctrlCAt = 0;
  private connected = true;
  private quitting = false;
  private finish!: (code: number) => void;
  private detach: Array<() => void> = [];

  constructor(
    private client: GatewayClient,
    private input: NodeJS.ReadStream,
    private output: NodeJS.WriteStream,
    private shell: LocalShellSetting,
    private boot: Boot,
    private url: string,
  ) {
    this.style = makeStyle(!process.env.NO_COLOR);
    this.info = boot.info;
    this.screen = new Screen(output, () => this.view());
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    const s = this.style;
    this.screen.log(s.bold(`simpleclaw tui — connected to ${this.url} (gateway ${this.client.hello.server.version})`));
    if (this.boot.history.length) {
      this.screen.log(s.dim(`Last ${this.boot.history.length} messages of ${this.info.sessionKey}:`));
      for (const m of this.boot.history) {
        const text = sanitize(messageText(m.message)).replace(/\s*\n\s*/g, " ").trim();
        if (text && (m.role === "user" || m.role === "assistant")) this.screen.log(s.dim(truncate(`${m.role === "user" ? "you" : "agent"}: ${text}`, 160)));
      }
    }
    this.screen.log(s.dim(`Type a message, /help for commands, ! for a local shell${this.shell.enabled ? "" : " (disabled here)"}.`));

    emitKeypressEvents(this.input);
    this.input.setRawMode(true);
    this.output.write(PASTE_ON);
    const onKey = (str: string | undefined, key: Key | undefined) => this.onKey(str, key ?? {});
    this.input.on("keypress", onKey);
    this.input.resume();
    const onResize = () => this.screen.render();
    this.output.on("resize", onResize);
    this.detach.push(
      () => this.input.removeListener("keypress", onKey),
      () => this.output.removeListener("resize", onResize),
      this.client.onEvent((event, payload) => this.onEvent(event, payload)),
      this.client.onClose((err) => {
        this.connected = false;
        if (this.quitting) return;
        this.screen.log(s.red(`connection to the gateway lost: ${err.message}`));
        this.quit(1);
      }),
    );
    for (const a of this.boot.pending) this.addApproval(a);
    this.screen.render();
    return done;
  }

  // ---- drawing -----------------------------------------------------------------------

  private activity(): string {
    if (!this.connected) return "disconnected";
    if (this.approvals.length) return `waiting for approval${this.approvals.length > 1 ? ` (${this.approvals.length})` : ""}`;
    if (this.local) return "running a local command";
    if (this.runs.size) return "replying…";
    return "idle";
  }

  private view(): LiveView {
    const s = this.style;
    const model =
      this.lastModel && this.lastModel !== this.info.primary ? `${this.lastModel} (last reply; configured ${this.info.model})` : this.info.model;
    const lines: LiveView["lines"] = [];
    const a = this.approvals[0];
    if (a && !this.confirm) lines.push({ text: `exec approval ${a.id}: $ ${sanitize(a.command).replace(/\n/g, " ")}`, style: s.yellow });
    lines.push({ text: ` ${statusLine({ ...this.info, model }, this.activity())} `, style: s.inverse });
    if (this.confirm) {
      const armed = Date.now() - this.confirm.shownAt >= LOCAL_CONFIRM_ARM_MS;
      return armed
        ? { lines, prompt: `run local commands on this machine? type ${CONFIRM_WORD} to allow › `, promptStyle: s.yellow, input: { text: this.confirm.typed, beforeCursor: this.confirm.typed } }
        : { lines, prompt: "run local commands on this machine? read the line above … ", promptStyle: s.yellow };
    }
    if (a) {
      const armed = a.shownAt !== undefined && Date.now() - a.shownAt >= APPROVAL_ARM_MS;
      return { lines, prompt: armed ? `${APPROVAL_CHOICES} › ` : "approval requested — read the command above … ", promptStyle: s.yellow };
    }
    // A newline from a paste is shown as ↵ (one column, so the cursor stays right).
    const shown = (t: string) => t.replace(/\n/g, "↵");
    return { lines, prompt: "› ", promptStyle: s.cyan, input: { text: shown(this.editor.text), beforeCursor: shown(this.editor.beforeCursor) } };
  }

  // ---- keys --------------------------------------------------------------------------

  private onKey(str: string | undefined, key: Key): void {
    if (this.quitting) return;
    // Bracketed paste: everything between the markers is text for the input line and
    // nothing else — it never submits, never answers a question or an approval.
    if (key.name === "paste-start") {
      this.pasting = true;
      return;
    }
    if (key.name === "paste-end") {
      this.pasting = false;
      return this.screen.render();
    }
    if (this.pasting) {
      if (this.confirm || this.approvals.length) return; // a paste is not an answer
      if (this.editor.paste(str, key) === "changed") this.screen.render();
      return;
    }
    if (key.ctrl && key.name === "c") return this.ctrlC();
    this.ctrlCAt = 0;
    if (this.confirm) return this.confirmKey(str, key);
    const a = this.approvals[0];
    if (a) {
      const decision = approvalDecisionForKey(str ?? "");
      if (decision && a.shownAt !== undefined && Date.now() - a.shownAt >= APPROVAL_ARM_MS) void this.answerApproval(a, decision);
      return; // other keys wait until the approval is answered
    }
    if (key.ctrl && key.name === "d") {
      if (this.editor.text === "") return this.quit(0);
      this.editor.key(undefined, { name: "delete" });
      return this.screen.render();
    }
    if (key.ctrl && key.name === "l") {
      this.output.write("\x1b[2J\x1b[H");
      return this.screen.render();
    }
    const r = this.editor.key(str, key);
    if (r === "submit") {
      const pasted = this.editor.pasted;
      this.submit(this.editor.take(), pasted);
    }
    else if (r === "changed") this.screen.render();
  }

  private ctrlC(): void {
    const s = this.style;
    const now = Date.now();
    if (this.confirm) {
      this.answerConfirm(false);
      this.ctrlCAt = now;
      return;
    }
    if (this.ctrlCAt && now - this.ctrlCAt < CTRL_C_WINDOW_MS) return this.quit(0);
    this.ctrlCAt = now;
    if (this.local) {
      this.local.interrupt();
      this.screen.log(s.yellow("^C — stopping the local command (Ctrl-C again to quit)"));
      return;
    }
    if (this.runs.size) {
      this.screen.log(s.yellow("^C — stopping the reply (Ctrl-C again to quit)"));
      this.client.call("chat.abort", { sessionKey: this.info.sessionKey }).catch((err) => this.screen.log(s.red(`could not stop the reply: ${describe(err)}`)));
      return;
    }
    if (this.editor.text !== "") {
      this.editor.clear();
      this.screen.render();
      return;
    }
    this.screen.log(s.dim("(press Ctrl-C again, or Ctrl-D, to quit)"));
  }

  private submit(line: string, pasted = false): void {
    const action = parseInput(line);
    const s = this.style;
    switch (action.kind) {
      case "empty":
        return this.screen.render();
      case "quit":
        return this.quit(0);
      case "help":
        this.screen.log(s.dim(TUI_HELP));
        return;
      case "stop":
        void this.stop();
        return;
      case "status":
        void this.send("/status").then(() => this.refreshInfo());
        return;
      case "local":
        void this.localCommand(action.command, pasted);
        return;
      case "send":
        void this.send(action.text);
        return;
    }
  }

  // ---- gateway -----------------------------------------------------------------------

  private async send(text: string): Promise<void> {
    const s = this.style;
    this.screen.log(s.cyan(`› ${sanitize(text)}`));
    try {
      const ack = await this.client.call<{ runId: string; status: string }>("chat.send", {
        message: text,
        idempotencyKey: randomUUID(),
        sessionKey: this.info.sessionKey,
      });
      if ((ack.status === "started" || ack.status === "queued") && !this.ended.has(ack.runId) && !this.runs.has(ack.runId)) {
        this.runs.set(ack.runId, { streamed: false });
        this.screen.render();
      }
      if (ack.status === "queued") this.screen.log(s.dim("(queued: it runs after the current reply)"));
    } catch (err) {
      this.screen.log(s.red(`not sent: ${describe(err)}`));
    }
  }

  private async stop(): Promise<void> {
    // The gateway's /stop stops the active run and drops queued ones; chat.abort as well,
    // in case a run started in between.
    await this.send("/stop");
    try {
      await this.client.call("chat.abort", { sessionKey: this.info.sessionKey });
    } catch (err) {
      this.screen.log(this.style.red(`chat.abort failed: ${describe(err)}`));
    }
  }

  private async refreshInfo(): Promise<void> {
    try {
      const { config } = await this.client.call<{ config: unknown }>("config.get");
      this.info = describeSession(config, this.info.sessionKey);
      this.screen.render();
    } catch {
      // keep the last known info
    }
  }

  private onEvent(event: string, payload: unknown): void {
    if (this.quitting) return;
    if (event === "chat") {
      const parsed = chatEvent.safeParse(payload);
      if (parsed.success && parsed.data.sessionKey === this.info.sessionKey) this.onChat(parsed.data);
      return;
    }
    const p = (payload ?? {}) as Record<string, unknown>;
    if (event === "exec.approval.requested" && typeof p.id === "string" && typeof p.command === "string") {
      this.addApproval(p as unknown as ApprovalRequest);
    } else if (event === "exec.approval.resolved" && typeof p.id === "string") {
      this.approvalResolved(p.id, String(p.decision ?? ""), String(p.by ?? ""));
    } else if (event === "shutdown") {
      this.screen.log(this.style.yellow(`the gateway is shutting down${typeof p.reason === "string" ? ` (${sanitize(p.reason)})` : ""}.`));
    }
  }

  private onChat(e: ChatEventPayload): void {
    const s = this.style;
    if (this.ended.has(e.runId)) return;
    let run = this.runs.get(e.runId);
    if (!run) {
      run = { streamed: false };
      this.runs.set(e.runId, run);
    }
    switch (e.state) {
      case "delta":
        if (e.delta) {
          this.screen.stream(sanitize(e.delta));
          run.streamed = true;
        }
        break;
      case "tool":
        this.screen.endStream();
        if (e.phase === "call") this.screen.log(s.dim(toolCallLine(e.name, e.input)));
        else this.screen.log(e.error !== undefined ? s.red(toolResultLine(e.name, e.result, e.error)) : s.dim(toolResultLine(e.name, e.result, undefined)));
        break;
      case "status":
        this.screen.endStream();
        this.screen.log(s.dim(`… ${sanitize(e.text ?? "")}`));
        break;
      case "fallback":
        this.screen.endStream();
        this.screen.log(s.yellow(`model ${e.from ?? "?"} failed${e.reason ? ` (${sanitize(e.reason)})` : ""}; falling back to ${e.to ?? "?"}`));
        break;
      case "final":
      case "error":
      case "aborted":
        this.endRun(e, run.streamed);
        break;
    }
    this.screen.render();
  }

  private endRun(e: ChatEventPayload, streamed: boolean): void {
    const s = this.style;
    this.runs.delete(e.runId);
    this.ended.add(e.runId);
    if (this.ended.size > 500) this.ended.delete(this.ended.values().next().value!);
    if (e.state === "final") {
      if (!streamed && e.text) this.screen.log(sanitize(e.text));
      else this.screen.endStream();
      if (e.model) this.lastModel = e.model;
      if (e.command === "new") this.lastModel = undefined;
    } else if (e.state === "error") {
      this.screen.endStream();
      this.screen.log(s.red(`error: ${sanitize(e.message ?? "the run failed.")}`));
    } else {
      this.screen.endStream();
      this.screen.log(s.yellow("[stopped]"));
    }
  }

  // ---- approvals ---------------------------------------------------------------------

  private addApproval(a: ApprovalRequest): void {
    if (this.answered.has(a.id) || this.approvals.some((x) => x.id === a.id)) return;
    this.screen.endStream();
    for (const l of approvalLines(a)) this.screen.log(this.style.yellow(l));
    this.approvals.push({ ...a });
    this.showNextApproval();
  }

  /** Starts the typing guard for the approval now at the front; the choices appear once it is armed. */
  private showNextApproval(): void {
    const a = this.approvals[0];
    if (!a || a.shownAt !== undefined) return this.screen.render();
    a.shownAt = Date.now();
    if (this.armTimer) clearTimeout(this.armTimer);
    this.armTimer = setTimeout(() => {
      this.armTimer = undefined;
      if (!this.quitting) this.screen.render();
    }, APPROVAL_ARM_MS + 10);
    this.screen.render();
  }

  private async answerApproval(a: Approval, decision: ApprovalDecision): Promise<void> {
    const s = this.style;
    this.answered.add(a.id);
    this.approvals = this.approvals.filter((x) => x.id !== a.id);
    this.screen.log((decision === "deny" ? s.red : s.green)(`approval ${a.id}: ${decisionText(decision)} — $ ${truncate(sanitize(a.command).replace(/\n/g, " "), 100)}`));
    this.showNextApproval();
    try {
      await this.client.call("exec.approval.resolve", { id: a.id, decision });
    } catch (err) {
      this.screen.log(s.red(`approval ${a.id} was not recorded: ${describe(err)}`));
    }
  }

  private approvalResolved(id: string, decision: string, by: string): void {
    if (this.answered.has(id)) return;
    const had = this.approvals.some((x) => x.id === id);
    if (!had) return;
    this.approvals = this.approvals.filter((x) => x.id !== id);
    this.answered.add(id);
    this.screen.log(this.style.dim(`approval ${id}: ${decisionText(decision)} elsewhere${by ? ` (by ${sanitize(by)})` : ""}`));
    this.showNextApproval();
  }

  // ---- local shell -------------------------------------------------------------------

  /** Asks whether "!" commands may run; only the typed word "yes" (after the typing guard) allows. */
  private ask(): Promise<boolean> {
    return new Promise((resolve) => {
      const c: NonNullable<Tui["confirm"]> = { resolve, shownAt: Date.now(), typed: "" };
      c.timer = setTimeout(() => {
        c.timer = undefined;
        if (this.confirm === c) this.screen.render();
      }, LOCAL_CONFIRM_ARM_MS + 20);
      this.confirm = c;
      this.screen.render();
    });
  }

  private confirmKey(str: string | undefined, key: Key): void {
    const c = this.confirm!;
    // Typing guard: keys already on their way when the question appeared are not answers.
    if (Date.now() - c.shownAt < LOCAL_CONFIRM_ARM_MS) return;
    if (key.name === "return" || key.name === "enter") return this.answerConfirm(c.typed.trim().toLowerCase() === CONFIRM_WORD);
    if (key.name === "escape") return this.answerConfirm(false);
    if (key.name === "backspace") c.typed = [...c.typed].slice(0, -1).join("");
    else if (!key.ctrl && !key.meta && str && str >= " " && c.typed.length < 16) c.typed += [...str].filter((ch) => ch >= " " && ch !== "\x7f").join("");
    else return;
    this.screen.render();
  }

  private answerConfirm(yes: boolean): void {
    const c = this.confirm;
    this.confirm = undefined;
    if (c?.timer) clearTimeout(c.timer);
    this.screen.log(this.style.dim(`run local commands on this machine? ${yes ? "yes" : "no"}`));
    c?.resolve(yes);
  }

  private async localCommand(command: string, pasted: boolean): Promise<void> {
    const s = this.style;
    this.screen.log(s.bold(`! ${sanitize(command)}`));
    if (!this.shell.enabled) {
      this.screen.log(s.red(`local shell is disabled: ${this.shell.reason ?? "tui.localShell is false"}.`));
      return;
    }
    if (command === "") {
      this.screen.log(s.dim("!<command> runs <command> with /bin/sh on this machine (not through the agent), e.g. !ls -la"));
      return;
    }
    if (this.local) {
      this.screen.log(s.yellow("a local command is still running; Ctrl-C stops it."));
      return;
    }
    if (!this.localConfirmed || pasted) {
      // A line that came (partly) from a paste is confirmed every time, shown as it will run.
      if (pasted) this.screen.log(s.yellow(`this "!" command came from a paste; it runs exactly as shown above${command.includes("\n") ? " (several lines)" : ""}.`));
      this.screen.log(s.yellow(`"!" commands run in /bin/sh on this machine as ${localUser()}, in ${process.cwd()}, not through the agent.`));
      if (!(await this.ask())) {
        this.screen.log(s.dim("not run."));
        return;
      }
      this.localConfirmed = true;
    }
    const run = runLocal(command, (text, stream) => {
      if (!this.quitting) this.screen.stream(sanitize(text), stream === "stderr" ? s.red : undefined);
    });
    this.local = run;
    this.screen.render();
    const { code, signal } = await run.done;
    this.local = undefined;
    if (this.quitting) return;
    this.screen.endStream();
    this.screen.log(s.dim(signal ? `[local command ended by ${signal}]` : `[exit ${code}]`));
  }

  // ---- leaving -----------------------------------------------------------------------

  private quit(code: number): void {
    if (this.quitting) return;
    this.quitting = true;
    this.local?.interrupt();
    if (this.armTimer) clearTimeout(this.armTimer);
    if (this.confirm) this.answerConfirm(false);
    this.output.write(PASTE_OFF);
    this.screen.close();
    for (const d of this.detach) d();
    try {
      this.input.setRawMode(false);
    } catch {
      // the terminal may already be gone
    }
    this.input.pause();
    this.finish(code);
  }
}

function describe(err: unknown): string {
  if (err instanceof GatewayError) return `${err.code === "CONNECTION" ? "" : `${err.code}: `}${err.message}`;
  return errorMessage(err);
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "your user";
  }
}
