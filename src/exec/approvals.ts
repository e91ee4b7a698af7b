// Pending exec approvals: a command that needs the owner's yes waits here until an
// operator answers (RPC exec.approval.resolve, the CLI, or /approve in chat), the
// timeout passes, or the run stops. Pending approvals live only in memory, so nothing
// approved "once" survives a restart; allow-always entries go to exec-approvals.json.
import { approvalAskableInChat } from "../security/principal.js";
import { randomBytes } from "node:crypto";
import type { Logger } from "../infra/log.js";
import type { RunOrigin } from "../security/principal.js";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";
/** What the exec tool asks the owner to approve. */
export interface ApprovalRequestInput {
  command: string;
  argv: string[][];
  cwd: string;
  agentId: string;
  sessionKey: string;
  origin: RunOrigin;
  timeoutSeconds: number;
  signal: AbortSignal;
  onPending(id: string, expiresAt: number): void;
}

/** The owner's answer, a timeout, or "no-surface" when nobody could be asked. */
export interface ApprovalOutcome {
  decision: "allow-once" | "allow-always" | "deny" | "timeout" | "no-surface";
  by?: string;
  reason?: string;
}

type Outcome = ApprovalOutcome;
type RequestInput = ApprovalRequestInput;

export interface PendingApproval {
  id: string;
  command: string;
  argv: string[][];
  cwd: string;
  agentId: string;
  sessionKey: string;
  createdAt: number;
  expiresAt: number;
}

const ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function approvalId(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

export class ApprovalManager {
  private pending = new Map<string, { info: PendingApproval; settle: (o: Outcome) => void }>();

  constructor(
    private deps: {
      broadcast(event: string, payload: unknown): void;
      /** Whether an operator client that can answer is connected right now. */
      hasOperator(): boolean;
      logger: Logger;
    },
  ) {}

  list(): PendingApproval[] {
    return [...this.pending.values()].map((p) => p.info);
  }

  request(req: RequestInput): Promise<Outcome> {
    const ownerOnChat = approvalAskableInChat(req.origin);
    if (!this.deps.hasOperator() && !ownerOnChat) {
      return Promise.resolve({
        decision: "no-surface",
        reason: "no operator client (CLI, TUI or Control UI) is connected and the message did not come from the owner, so nobody can approve",
      });
    }
    const now = Date.now();
    const info: PendingApproval = {
      id: approvalId(),
      command: req.command,
      argv: req.argv,
      cwd: req.cwd,
      agentId: req.agentId,
      sessionKey: req.sessionKey,
      createdAt: now,
      expiresAt: now + req.timeoutSeconds * 1000,
    };
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => finish({ decision: "timeout" }, "timeout"), req.timeoutSeconds * 1000);
      const onAbort = () => finish({ decision: "deny", reason: "the run was stopped" }, "run stopped");
      const finish = (o: Outcome, by: string) => {
        if (!this.pending.delete(info.id)) return;
        clearTimeout(timer);
        req.signal.removeEventListener("abort", onAbort);
        this.deps.broadcast("exec.approval.resolved", { id: info.id, decision: o.decision === "timeout" ? "deny" : o.decision, by });
        this.deps.logger.info("exec approval resolved", { id: info.id, decision: o.decision, by, command: info.command });
        resolve(o);
      };
      this.pending.set(info.id, { info, settle: (o) => finish(o, o.by ?? "operator") });
      req.signal.addEventListener("abort", onAbort, { once: true });
      this.deps.broadcast("exec.approval.requested", {
        id: info.id,
        command: info.command,
        argv: info.argv,
        cwd: info.cwd,
        agentId: info.agentId,
        sessionKey: info.sessionKey,
        expiresAt: info.expiresAt,
      });
      this.deps.logger.info("exec approval requested", { id: info.id, command: info.command, sessionKey: info.sessionKey });
      req.onPending(info.id, info.expiresAt);
    });
  }

  /** Answer a pending approval. Returns false when the id is unknown (already answered or expired). */
  resolve(id: string, decision: ApprovalDecision, by: string): boolean {
    const p = this.pending.get(id.trim().toLowerCase());
    if (!p) return false;
    p.settle({ decision, by });
    return true;
  }

  /** Shutdown: everything still waiting is denied. */
  close(): void {
    for (const p of [...this.pending.values()]) p.settle({ decision: "deny", by: "shutdown", reason: "the gateway is stopping" });
  }
}
