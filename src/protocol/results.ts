// The shapes of method results and event payloads on the gateway WebSocket
// (docs/protocol.md), defined once: the server produces them and the CLI, TUI and Control
// UI consume them. Types only — no runtime code — so the browser bundle can import it.

export interface Hello {
  type: "hello-ok";
  protocol: number;
  server: { version: string; connId: string };
  role: "operator" | "node";
  methods: string[];
  events: string[];
  policy: { maxPayload: number; tickIntervalMs: number };
  /** After a dashboard sign-in code: the gateway secret, for reconnects. */
  signin?: { session: string; expiresAt: number };
}

/** A command waiting for the owner, structured for every approval surface. */
export interface PendingApprovalNotice {
  id: string;
  command: string;
  expiresAt: number;
}

/** `chat` event payload: one step of a run, streamed to every operator client. */
export type ChatEvent = { runId: string; sessionKey: string } & (
  | { state: "delta"; delta: string }
  | { state: "tool"; phase: "call" | "result"; callId: string; name: string; input?: unknown; result?: string; error?: string }
  | { state: "fallback"; from: string; to: string; reason: string }
  | { state: "status"; text: string; approval?: PendingApprovalNotice }
  | { state: "final"; text: string; model?: string; usage?: { inputTokens: number; outputTokens: number }; command?: string }
  | { state: "error"; message: string; code?: "TIMEOUT" }
  | { state: "aborted"; text: string }
);

/** A chat event seen with every state's fields optional: for code that reads a field whatever the state. */
export type ChatEventView = ChatEvent &
  Partial<{
    delta: string;
    text: string;
    message: string;
    code: "TIMEOUT";
    model: string;
    usage: { inputTokens: number; outputTokens: number };
    command: string;
    phase: "call" | "result";
    callId: string;
    name: string;
    input: unknown;
    result: string;
    error: string;
    from: string;
    to: string;
    reason: string;
    approval: PendingApprovalNotice;
  }>;

/** `chat.history` entries. */
export interface HistoryEntry {
  id: number | string;
  runId: string | null;
  role: string;
  createdAt: number;
  message: { role: string; content: unknown };
}

/** `exec.approval.requested` payload and `exec.approval.list` rows. */
export interface ExecApproval {
  id: string;
  command: string;
  argv?: string[];
  cwd: string;
  agentId: string;
  sessionKey: string;
  createdAt: number;
  expiresAt: number;
}

/** `exec.approval.resolved` payload (plus the command, for display). */
export interface ExecApprovalResolved {
  id: string;
  command: string;
  decision: string;
  by: string;
  at: number;
}

/** `devices.list` rows. */
export interface PendingDevice {
  deviceId: string;
  role: string;
  name: string;
  platform: string;
  clientVersion: string;
  remoteAddress: string;
  createdAt: number;
  expiresAt: number;
}

export interface PairedDevice {
  deviceId: string;
  role: string;
  name: string;
  platform: string;
  approvedAt: number;
  tokenIssuedAt: number | null;
  lastSeenAt: number | null;
  connected: boolean;
}

/** `pairing.list`: per channel, pending DM pairing requests and approved senders. */
export interface PairingRequestRow {
  code: string;
  senderId: string;
  senderName?: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApprovedSenderRow {
  id: string;
  name?: string;
  approvedAt: number;
  owner?: boolean;
}

/** `pairing.approve`: who was approved and which DM session they get (docs/channels.md "Sessions"). */
export interface PairingApproveResult {
  channel: string;
  senderId: string;
  name: string | null;
  owner: boolean;
  approvedAt: number;
  sessionKey: string;
  /** True when the sender shares the owner's main session (session.dmScope "main"). */
  sharedSession: boolean;
  /** One sentence for the operator about that session. */
  message: string;
}

export interface ChannelPairing {
  channel: string;
  pending: PairingRequestRow[];
  approved: ApprovedSenderRow[];
  /** The pending queue is at its cap (`max`): new senders, other than listed owners, get no code. */
  full: boolean;
  max: number;
  /** While full: how many new senders got no code since it filled, first and last time. */
  turnedAway?: { count: number; firstAt: number; lastAt: number };
}

/** `pairing.clear`: every pending request of the channel dropped. */
export interface PairingCleared {
  channel: string;
  cleared: number;
}

/** `channels.status` rows. */
export interface ChannelStatus {
  channel: string;
  enabled: boolean;
  running: boolean;
  error?: string;
  /** The DM pairing queue is full: new senders get no code (see pairing.list). */
  pairingQueueFull?: boolean;
}

/** `security.audit` result. */
export interface AuditFinding {
  checkId: string;
  severity: "critical" | "warn" | "info";
  title: string;
  detail: string;
  evidence: string;
  fix: string;
  fixable: boolean;
}

export interface AuditReportResult {
  ts: number;
  summary: { critical: number; warn: number; info: number };
  findings: AuditFinding[];
}

/** `skills.list` rows (docs/skills.md). */
export interface SkillRow {
  name: string;
  description: string;
  source: "workspace" | "state" | "plugin";
  plugin?: string;
  /** The folder, and SKILL.md the model reads. */
  dir: string;
  file: string;
  /** ready = shown to the agent; the others say why not in `reason`. */
  status: "ready" | "blocked" | "unmet" | "shadowed" | "invalid" | "modified";
  reason?: string;
  /** State-dir skills: pinned by `simpleclaw skills install`. */
  pinned?: boolean;
  requires: { bins: string[]; env: string[]; os: string[] };
  missing: { bins: string[]; env: string[]; os: string[] };
  /** Whether skills.allow admits it (true when skills.allow is unset). */
  allowed: boolean;
  findings: Array<{ checkId: string; severity: "critical" | "warn" | "info"; file: string; line: number; message: string; excerpt: string }>;
  /** Files the scanner did not read (binary, too large, links, or past this request's scan budget). */
  unscanned: string[];
}

export interface SkillsListResult {
  /** Whether skills.allow is set (unset: every skill whose requirements are met is shown). */
  allowSet: boolean;
  skills: SkillRow[];
  /** Problems with whole skill folders (a plugin's), one sentence each. */
  problems: string[];
}

/** `skills.allow` / `skills.deny` result: the new skills.allow. */
export interface SkillsAllowResult {
  name: string;
  allowed: boolean;
  allow: string[];
}

/** `sessions.list` rows. */
export interface SessionRow {
  key: string;
  agentId: string;
  messageCount: number;
  inputTokens: number;
  outputTokens: number;
  lastModel: string | null;
  createdAt: number;
  updatedAt: number;
}

/** `cron.list` rows and the job in `cron.add` / `cron.edit` / … results (docs/cron.md). */
export interface CronJobRow {
  id: string;
  name: string | null;
  agentId: string;
  /** One line: "cron 0 9 * * 1-5 (Europe/Berlin)", "at 2026-…Z", "every 30m". */
  schedule: string;
  scheduleSpec: { kind: "cron"; expr: string; tz?: string } | { kind: "at"; at: number } | { kind: "every"; everyMs: number; anchor: number };
  prompt: string;
  sessionKey: string;
  deliver: { channel: string; peer: string; chat?: "direct" | "group" } | null;
  enabled: boolean;
  /** "pending": created by the agent, waits for the owner's approval, never runs until then. */
  approval: "approved" | "pending";
  createdBy: "operator" | "agent";
  createdFrom: string | null;
  createdAt: number;
  nextRunAt: number | null;
  lastRunAt: number | null;
  running: boolean;
  /** Configured in agents.list[].heartbeat, not editable over RPC. */
  heartbeat: boolean;
}

/** `cron.runs` rows: one per run, refusal, skip or miss. */
export interface CronRunRow {
  id: number;
  jobId: string;
  scheduledAt: number | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  status: "running" | "ok" | "error" | "missed" | "skipped" | "refused";
  error: string | null;
  delivery: "none" | "delivered" | "failed" | "refused" | "suppressed";
  deliveryError: string | null;
  output: string | null;
  trigger: string;
}
