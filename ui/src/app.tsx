// The Control UI shell: sign-in (the gateway token or a browser session, kept in sessionStorage only),
// reconnects, navigation between pages, and the state every page shares
// (pending exec approvals, pending pairing / device counts for the nav badges).
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { Gateway, GatewayError, gatewaySocketUrl, type Credential } from "./gateway";
import { useEvents } from "./hooks";
import { ChatPage } from "./pages/chat";
import { ApprovalsPage, type Approval } from "./pages/approvals";
import { PairingPage } from "./pages/pairing";
import { DevicesPage } from "./pages/devices";
import { SessionsPage } from "./pages/sessions";
import { SecurityPage } from "./pages/security";
import { CronPage } from "./pages/cron";
import { SkillsPage } from "./pages/skills";

/** sessionStorage key of the secret the operator typed: gone when the tab closes, never in the URL. */
export const TOKEN_KEY = "simpleclaw.gatewayToken";
/** sessionStorage key of the browser session a dashboard sign-in code yielded (never the secret). */
export const SESSION_KEY = "simpleclaw.browserSession";

type Phase =
  | { kind: "connecting" }
  | { kind: "login"; error?: string }
  | { kind: "ready"; gw: Gateway }
  | { kind: "offline"; error: string; retryInMs: number };

const PAGES = [
  { id: "chat", title: "Chat" },
  { id: "approvals", title: "Approvals" },
  { id: "pairing", title: "Pairing" },
  { id: "devices", title: "Devices" },
  { id: "sessions", title: "Sessions" },
  { id: "cron", title: "Jobs" },
  { id: "skills", title: "Skills" },
  { id: "security", title: "Security" },
] as const;
type PageId = (typeof PAGES)[number]["id"];

function pageFromHash(): PageId {
  const h = location.hash.replace(/^#\/?/, "");
  return (PAGES.find((p) => p.id === h)?.id ?? "chat") as PageId;
}

function storedCredential(): Credential | undefined {
  try {
    const session = sessionStorage.getItem(SESSION_KEY);
    if (session) return { kind: "session", value: session };
    const secret = sessionStorage.getItem(TOKEN_KEY);
    return secret ? { kind: "secret", value: secret } : undefined;
  } catch {
    return undefined;
  }
}

function storeCredential(cred: Credential | undefined): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(SESSION_KEY);
  if (cred?.kind === "secret") sessionStorage.setItem(TOKEN_KEY, cred.value);
  if (cred?.kind === "session") sessionStorage.setItem(SESSION_KEY, cred.value);
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: "connecting" });
  const retryTimer = useRef<number | undefined>(undefined);
  const backoff = useRef(1000);

  const attempt = useCallback(async (cred: Credential | undefined, fromForm: boolean) => {
    clearTimeout(retryTimer.current);
    setPhase({ kind: "connecting" });
    try {
      const gw = await Gateway.connect(gatewaySocketUrl(), cred, 10_000);
      // Signed in with a dashboard code: the gateway hands back a browser session for reconnects.
      if (cred?.kind === "code") storeCredential(gw.hello.signin ? { kind: "session", value: gw.hello.signin.session } : undefined);
      else if (cred) storeCredential(cred);
      backoff.current = 1000;
      gw.onClose((err) => {
        const wait = backoff.current;
        backoff.current = Math.min(wait * 2, 15_000);
        setPhase({ kind: "offline", error: err.message, retryInMs: wait });
        retryTimer.current = window.setTimeout(() => void attempt(storedCredential(), false), wait);
      });
      setPhase({ kind: "ready", gw });
    } catch (e) {
      const err = e instanceof GatewayError ? e : new GatewayError("INTERNAL", (e as Error).message);
      if (err.code === "UNAUTHORIZED") {
        storeCredential(undefined);
        // Without a credential this was only the probe for an auth-less gateway: just ask.
        setPhase({ kind: "login", error: cred ? `Sign-in refused: ${err.message}` : undefined });
      } else if (err.code === "RATE_LIMITED") {
        setPhase({ kind: "login", error: `Too many failed attempts from this address; try again in ${Math.ceil((err.retryAfterMs ?? 60_000) / 1000)} s.` });
      } else if (fromForm) {
        setPhase({ kind: "login", error: err.message });
      } else {
        const wait = backoff.current;
        backoff.current = Math.min(wait * 2, 15_000);
        setPhase({ kind: "offline", error: err.message, retryInMs: wait });
        retryTimer.current = window.setTimeout(() => void attempt(storedCredential(), false), wait);
      }
    }
  }, []);

  useEffect(() => {
    // `simpleclaw dashboard` opens /#signin=CODE: take the code out of the address bar at once
    // (it is single use either way) and present it in the WebSocket connect.
    const m = /^#signin=([A-Za-z0-9_-]{1,128})$/.exec(location.hash);
    if (m) {
      history.replaceState(null, "", `${location.pathname}${location.search}#/chat`);
      void attempt({ kind: "code", value: m[1]! }, false);
      return () => clearTimeout(retryTimer.current);
    }
    void attempt(storedCredential(), false);
    return () => clearTimeout(retryTimer.current);
  }, []);

  const signOut = () => {
    storeCredential(undefined);
    if (phase.kind === "ready") phase.gw.close();
    setPhase({ kind: "login" });
  };

  if (phase.kind === "connecting") return <Centered><p class="muted">Connecting to the gateway…</p></Centered>;
  if (phase.kind === "login") return <Login error={phase.error} onSubmit={(s) => void attempt({ kind: "secret", value: s }, true)} />;
  if (phase.kind === "offline") {
    return (
      <Centered>
        <h1>Gateway unreachable</h1>
        <p class="error" role="alert">{phase.error}</p>
        <p class="muted">Retrying in {Math.round(phase.retryInMs / 1000)} s.</p>
        <div class="row">
          <button onClick={() => void attempt(storedCredential(), false)}>Retry now</button>
          <button class="secondary" onClick={signOut}>Sign out</button>
        </div>
      </Centered>
    );
  }
  return <Shell gw={phase.gw} onSignOut={signOut} />;
}

function Centered(props: { children: ComponentChildren }) {
  return <main class="centered">{props.children}</main>;
}

function Login(props: { error?: string; onSubmit: (secret: string) => void }) {
  const [value, setValue] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.error]);
  return (
    <Centered>
      <form
        class="login card"
        id="login-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) props.onSubmit(value.trim());
        }}
      >
        <h1>SimpleClaw</h1>
        <p class="muted">
          Enter the gateway token (or password). It stays in this tab's session storage and is sent only inside the
          WebSocket sign-in. Show it on the gateway host with <code>simpleclaw config get gateway.auth.token</code>.
        </p>
        {props.error && (
          <p class="error" role="alert" id="login-error">
            {props.error}
          </p>
        )}
        <label>
          Gateway token
          <input
            ref={input}
            id="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" id="sign-in">
          Sign in
        </button>
      </form>
    </Centered>
  );
}

function Shell(props: { gw: Gateway; onSignOut: () => void }) {
  const { gw } = props;
  const [page, setPage] = useState<PageId>(pageFromHash());
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [pairingPending, setPairingPending] = useState(0);
  const [devicesPending, setDevicesPending] = useState(0);
  const [jobsPending, setJobsPending] = useState(0);

  useEffect(() => {
    const on = () => setPage(pageFromHash());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);

  const loadApprovals = useCallback(async () => {
    const r = await gw.call<{ pending: Approval[] }>("exec.approval.list");
    setApprovals(r.pending);
  }, [gw]);
  const loadCounts = useCallback(async () => {
    const [p, d, c] = await Promise.all([
      gw.call<{ channels: Array<{ pending: unknown[] }> }>("pairing.list").catch(() => ({ channels: [] })),
      gw.call<{ pending: unknown[] }>("device.pair.list").catch(() => ({ pending: [] })),
      gw.call<{ jobs: Array<{ approval: string }> }>("cron.list").catch(() => ({ jobs: [] })),
    ]);
    setPairingPending(p.channels.reduce((n, c) => n + c.pending.length, 0));
    setDevicesPending(d.pending.length);
    setJobsPending(c.jobs.filter((j) => j.approval === "pending").length);
  }, [gw]);
  useEffect(() => {
    void loadApprovals().catch(() => {});
    void loadCounts();
  }, [gw]);

  useEvents(gw, ["exec.approval.requested", "exec.approval.resolved"], (event, p) => {
    if (event === "exec.approval.requested") setApprovals((list) => (list.some((a) => a.id === p.id) ? list : [...list, { createdAt: Date.now(), ...p }]));
    else setApprovals((list) => list.filter((a) => a.id !== p.id));
  });
  useEvents(gw, ["pairing.requested", "pairing.resolved", "device.pair.requested", "device.pair.resolved", "cron.changed"], () => void loadCounts());

  const badge: Partial<Record<PageId, number>> = { approvals: approvals.length, pairing: pairingPending, devices: devicesPending, cron: jobsPending };
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">SimpleClaw</span>
        <nav>
          {PAGES.map((p) => (
            <a href={`#/${p.id}`} class={page === p.id ? "active" : ""} id={`nav-${p.id}`} key={p.id}>
              {p.title}
              {!!badge[p.id] && <span class="badge">{badge[p.id]}</span>}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <span class="muted small" title={`connection ${gw.hello.server.connId}`}>
          <span class="dot online" /> gateway {gw.hello.server.version}
        </span>
        <button class="secondary small" id="sign-out" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      {/* Chat stays mounted so a run keeps streaming while another page is open. */}
      <section id="page-chat" hidden={page !== "chat"}>
        <ChatPage gw={gw} pendingApprovals={approvals.length} />
      </section>
      {page === "approvals" && (
        <section id="page-approvals">
          <ApprovalsPage gw={gw} pending={approvals} reload={loadApprovals} />
        </section>
      )}
      {page === "pairing" && (
        <section id="page-pairing">
          <PairingPage gw={gw} />
        </section>
      )}
      {page === "devices" && (
        <section id="page-devices">
          <DevicesPage gw={gw} />
        </section>
      )}
      {page === "sessions" && (
        <section id="page-sessions">
          <SessionsPage gw={gw} />
        </section>
      )}
      {page === "cron" && (
        <section id="page-cron">
          <CronPage gw={gw} />
        </section>
      )}
      {page === "skills" && (
        <section id="page-skills">
          <SkillsPage gw={gw} />
        </section>
      )}
      {page === "security" && (
        <section id="page-security">
          <SecurityPage gw={gw} />
        </section>
      )}
    </div>
  );
}
