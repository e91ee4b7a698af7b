// Browser sessions for the browser tool (docs/browser.md): which Chromium a tool call
// drives, launched lazily and closed after idle or on gateway shutdown.
//   - unsandboxed session: Chromium on the host with the agent's profile under the state
//     dir (700), one browser per agent;
//   - sandboxed session: Chromium inside bubblewrap (same mount rules as exec, no state
//     dir, no workspace, a throwaway profile on the sandbox's tmpfs), one per session;
//   - browser.cdpUrl: attach to that browser (validated: credentials + loopback or TLS).
// A launched Chromium is driven over --remote-debugging-pipe (Playwright's default):
// there is no DevTools TCP port at all. All its traffic goes through the guard proxy
// (browser/guard-proxy.ts) and every request also passes the route check below.
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants as FS, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expandHome } from "../config/paths.js";
import type { Config } from "../config/schema.js";
import { scrubEnv } from "../exec/runner.js";
import { selectBackend } from "../sandbox/backend.js";
import { bwrapArgs, detectHostLayout } from "../sandbox/bwrap.js";
import { checkBrowserUrl, startGuardProxy, type BlockedRequest, type BrowserNetPolicy, type GuardProxy } from "./guard-proxy.js";
import { redactCdpUrl, validateCdpUrl } from "../security/browser-policy.js";
import { parseOriginList } from "../net/origin-pattern.js";
import type { LookupFn } from "../security/network-policy.js";
import type { RunSandbox } from "../security/sandbox-scope.js";

/** The run a browser belongs to (the tool passes its ToolContext). */
export interface BrowserCaller {
  agentId: string;
  sessionKey: string;
  sandbox: RunSandbox;
  config: Config;
}
import { ToolError } from "../infra/errors.js";

export type BrowserMode = "host" | "sandbox" | "remote";

export interface BrowserHandle {
  key: string;
  mode: BrowserMode;
  context: BrowserContext;
  /** The tab the next action works on. */
  current: Page | undefined;
  /** Next element ref number per tab (refs never repeat within a tab, across navigations). */
  refs: WeakMap<Page, number>;
  /** Recent refusals (route and proxy), newest last; the tool reports the ones of its call. */
  blocked: BlockedRequest[];
  lastUsed: number;
}

export interface BrowserServiceOptions {
  /** The state dir; profiles live in <stateDir>/browser. */
  stateDir: string;
  log?: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void };
  /** DNS resolver for the checks (tests). */
  lookup?: LookupFn;
  /** INTERNAL, TEST-ONLY (see security/network-policy CheckUrlOptions.exemptAddresses). Not reachable from config or the model. */
  exemptAddresses?: readonly string[];
  /** Override browser.idleTimeoutSeconds (tests). */
  idleMs?: number;
  /** The ports the gateway listens on (known once it listens): pages never reach them. */
  ownPorts?: () => readonly number[];
}

const MAX_BLOCKED = 50;
const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** browser.executablePath, else the first Chromium on PATH. Throws a ToolError naming the fix. */
export function findChromium(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const configured = config.browser.executablePath;
  if (configured) {
    const p = expandHome(configured);
    try {
      accessSync(p, FS.X_OK);
      return p;
    } catch {
      throw new ToolError(`browser.executablePath ${p} is not an executable file.`);
    }
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    for (const name of CHROMIUM_NAMES) {
      const p = join(dir, name);
      try {
        accessSync(p, FS.X_OK);
        if (statSync(p).isFile()) return p;
      } catch {
        // not here
      }
    }
  }
  throw new ToolError("no Chromium found on PATH (looked for chromium, chromium-browser, google-chrome); install it (Debian: apt install chromium) or set browser.executablePath.");
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function quoteSh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function sessionKeyFor(ctx: BrowserCaller): { key: string; mode: BrowserMode } {
  if (ctx.sandbox.required) return { key: `sandbox:${ctx.agentId}:${ctx.sessionKey}`, mode: "sandbox" };
  if (ctx.config.browser.cdpUrl) return { key: `remote:${ctx.agentId}`, mode: "remote" };
  return { key: `host:${ctx.agentId}`, mode: "host" };
}

interface Entry {
  promise: Promise<BrowserHandle>;
  handle?: BrowserHandle;
  close?: () => Promise<void>;
  idleTimer?: NodeJS.Timeout;
}

export class BrowserService {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly opts: BrowserServiceOptions) {}

  /** The network policy for this config (allowPrivateNetwork + origin lists). */
  netPolicy(config: Config): BrowserNetPolicy {
    const allowed = parseOriginList(config.browser.allowedOrigins);
    const blocked = parseOriginList(config.browser.blockedOrigins);
    const errors = [...allowed.errors, ...blocked.errors];
    if (errors.length > 0) throw new ToolError(`browser origin lists are invalid: ${errors.join("; ")}.`);
    return {
      allowPrivateNetwork: config.browser.allowPrivateNetwork,
      lists: { allowed: allowed.patterns, blocked: blocked.patterns },
      ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
      ...(this.opts.exemptAddresses ? { exemptAddresses: this.opts.exemptAddresses } : {}),
      ownPorts: this.opts.ownPorts?.() ?? [],
    };
  }

  /** The browser for this tool call's agent/session, launching it if needed. */
  async acquire(ctx: BrowserCaller): Promise<BrowserHandle> {
    if (this.closed) throw new ToolError("the browser is unavailable: the gateway is shutting down.");
    const { key, mode } = sessionKeyFor(ctx);
    let entry = this.entries.get(key);
    if (!entry) {
      const e: Entry = { promise: this.launch(key, mode, ctx, (close) => (e.close = close)) };
      entry = e;
      this.entries.set(key, e);
      e.promise.then(
        (h) => (e.handle = h),
        () => {
          if (this.entries.get(key) === e) this.entries.delete(key);
        },
      );
    }
    const handle = await entry.promise;
    handle.lastUsed = Date.now();
    this.armIdle(key, entry, ctx.config);
    return handle;
  }

  /** Whether a browser is running for this agent/session (no launch). */
  has(ctx: BrowserCaller): boolean {
    return this.entries.has(sessionKeyFor(ctx).key);
  }

  private armIdle(key: string, entry: Entry, config: Config): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    const ms = this.opts.idleMs ?? config.browser.idleTimeoutSeconds * 1000;
    entry.idleTimer = setTimeout(() => {
      this.opts.log?.info("closing idle browser", { key });
      void this.close(key);
    }, ms);
    entry.idleTimer.unref();
  }

  /** Close the browser of one agent/session. */
  async close(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    await entry.promise.catch(() => undefined);
    await entry.close?.().catch(() => undefined);
  }

  async closeFor(ctx: BrowserCaller): Promise<void> {
    await this.close(sessionKeyFor(ctx).key);
  }

  /** Gateway shutdown: close every browser and refuse new ones. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((k) => this.close(k)));
  }

  /** Keys of running browsers (tests, status). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private async launch(key: string, mode: BrowserMode, ctx: BrowserCaller, setClose: (close: () => Promise<void>) => void): Promise<BrowserHandle> {
    const config = ctx.config;
    const policy = this.netPolicy(config);
    const handle: BrowserHandle = { key, mode, context: undefined as unknown as BrowserContext, current: undefined, refs: new WeakMap(), blocked: [], lastUsed: Date.now() };
    const onBlocked = (b: BlockedRequest) => {
      handle.blocked.push(b);
      if (handle.blocked.length > MAX_BLOCKED) handle.blocked.splice(0, handle.blocked.length - MAX_BLOCKED);
      this.opts.log?.info("browser request blocked", { key, target: b.target.slice(0, 300), reason: b.reason, by: b.by });
    };

    if (mode === "remote") {
      const check = validateCdpUrl(config.browser.cdpUrl!);
      if (!check.ok) throw new ToolError(`refused: ${check.reason}.`);
      const { chromium } = await import("playwright-core");
      let browser: Browser;
      try {
        browser = await chromium.connectOverCDP(check.url.href, { timeout: 15_000 });
      } catch (err) {
        throw new ToolError(`could not attach to the browser at ${redactCdpUrl(check.url)}: ${firstLine(err)}.`);
      }
      // A fresh context: never the remote browser's default (possibly logged-in) one.
      const context = await browser.newContext({ serviceWorkers: "block", acceptDownloads: false });
      handle.context = context;
      setClose(async () => {
        await context.close().catch(() => undefined);
        await browser.close().catch(() => undefined);
      });
      await this.guardContext(handle, policy, onBlocked);
      return handle;
    }

    const exe = findChromium(config);
    const browserDir = join(this.opts.stateDir, "browser");
    ensurePrivateDir(browserDir);
    let proxy: GuardProxy | undefined;
    const { chromium } = await import("playwright-core");
    try {
      proxy = await startGuardProxy(policy, onBlocked);
      const proxyOpt = { server: proxy.server, username: proxy.username, password: proxy.password };
      const common = {
        headless: config.browser.headless,
        // Playwright's own SIGINT/SIGTERM handlers would kill the browser behind the gateway's back.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        timeout: 30_000,
        proxy: proxyOpt,
        // WebRTC UDP and QUIC would not go through the guard proxy: turn both off. The switch is
        // --webrtc-ip-handling-policy (Chromium ignores unknown switches silently, so the test
        // "a page's WebRTC sends no UDP around the guard proxy" checks the effect, not the flag).
        args: ["--webrtc-ip-handling-policy=disable_non_proxied_udp", "--disable-quic"],
      };

      if (mode === "host") {
        const profileDir = config.browser.profileDir ? expandHome(config.browser.profileDir) : join(browserDir, "profiles", ctx.agentId);
        ensurePrivateDir(profileDir);
        const home = join(browserDir, "home");
        ensurePrivateDir(home);
        // Nothing secret from the gateway's environment; HOME/XDG dirs away from the owner's ~/.config.
        const env: Record<string, string> = { ...scrubEnv(process.env), HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_CACHE_HOME: join(home, ".cache") };
        if (!config.browser.headless) for (const k of ["DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR"]) if (process.env[k]) env[k] = process.env[k]!;
        // Chromium's own sandbox cannot run as root; bwrap is the sandbox for sandboxed sessions.
        const chromiumSandbox = typeof process.getuid === "function" && process.getuid() !== 0;
        let context: BrowserContext;
        try {
          context = await chromium.launchPersistentContext(profileDir, {
            ...common,
            executablePath: exe,
            env,
            chromiumSandbox,
            serviceWorkers: "block",
            acceptDownloads: false,
            viewport: { width: 1280, height: 800 },
          });
        } catch (err) {
          throw new ToolError(`could not start Chromium (${exe}): ${firstLine(err)}.`);
        }
        handle.context = context;
        const p = proxy;
        setClose(async () => {
          await context.close().catch(() => undefined);
          await p.close();
        });
      } else {
        await this.checkSandbox(ctx, exe);
        const backend = await selectBackend(ctx.sandbox.backend);
        if (backend.name === "none")
          throw new ToolError(`this session must run sandboxed (sandbox.mode ${ctx.sandbox.mode}) but no sandbox is available (${backend.reason}); the browser was not started.`);
        if (backend.name !== "bwrap")
          throw new ToolError(`this session must run sandboxed and the sandbox backend is ${backend.name}; the browser runs sandboxed only under bubblewrap (install bubblewrap or set sandbox.backend "bwrap"), so it was not started.`);
        // Same mounts as exec's bwrap sandbox, but no workspace: Chromium never needs it (screenshots
        // come back over the pipe and the gateway writes them). Profile: the sandbox's own tmpfs.
        const args = bwrapArgs(
          { workspace: "/nonexistent", cwd: "/tmp", workspaceAccess: "none", network: true, env: {}, command: [exe], browser: true },
          detectHostLayout(),
          backend.features,
        );
        const runDir = join(browserDir, "run");
        ensurePrivateDir(runDir);
        const launcher = join(runDir, `bwrap-chromium-${randomBytes(6).toString("hex")}.sh`);
        writeFileSync(launcher, `#!/bin/sh\n# generated by SimpleClaw for one sandboxed browser launch\nexec ${quoteSh(backend.bin)} ${args.map(quoteSh).join(" ")} "$@"\n`, { mode: 0o700, flag: "wx" });
        let browser: Browser;
        try {
          browser = await chromium.launch({ ...common, executablePath: launcher, chromiumSandbox: false, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
        } catch (err) {
          throw new ToolError(`could not start Chromium inside the sandbox: ${firstLine(err)}.`);
        } finally {
          rmSync(launcher, { force: true });
        }
        const context = await browser.newContext({ serviceWorkers: "block", acceptDownloads: false, viewport: { width: 1280, height: 800 } });
        handle.context = context;
        const p = proxy;
        setClose(async () => {
          await browser.close().catch(() => undefined);
          await p.close();
        });
      }
    } catch (err) {
      await proxy?.close();
      throw err;
    }
    await this.guardContext(handle, policy, onBlocked);
    this.opts.log?.info("browser started", { key, mode });
    return handle;
  }

  private async checkSandbox(ctx: BrowserCaller, exe: string): Promise<void> {
    if (!ctx.sandbox.network)
      throw new ToolError(
        "this session runs sandboxed without network (sandbox.network is false), so a sandboxed browser could not load any page; the browser was not started.",
      );
    let real: string;
    try {
      real = realpathSync(exe);
    } catch {
      throw new ToolError(`browser.executablePath ${exe} does not exist.`);
    }
    if (!real.startsWith("/usr/"))
      throw new ToolError(`Chromium at ${real} is outside /usr, so it is not visible inside the sandbox; install the system chromium package for sandboxed sessions.`);
  }

  /** Every request of every page passes the same check; dialogs are dismissed so nothing hangs. */
  private async guardContext(handle: BrowserHandle, policy: BrowserNetPolicy, onBlocked: (b: BlockedRequest) => void): Promise<void> {
    const ctx = handle.context;
    ctx.setDefaultTimeout(15_000);
    ctx.setDefaultNavigationTimeout(30_000);
    await ctx.route("**/*", async (route) => {
      const url = route.request().url();
      let verdict;
      try {
        verdict = await checkBrowserUrl(url, policy);
      } catch (err) {
        verdict = { ok: false as const, reason: `the check failed (${firstLine(err)})` };
      }
      if (verdict.ok) return route.continue().catch(() => undefined);
      onBlocked({ at: Date.now(), target: url, reason: verdict.reason, by: "route" });
      return route.abort("blockedbyclient").catch(() => undefined);
    });
    const onPage = (p: Page) => {
      p.on("dialog", (d) => void d.dismiss().catch(() => undefined));
    };
    ctx.pages().forEach(onPage);
    ctx.on("page", onPage);
    ctx.on("close", () => {
      const entry = this.entries.get(handle.key);
      if (entry?.handle === handle) {
        this.entries.delete(handle.key);
        if (entry.idleTimer) clearTimeout(entry.idleTimer);
        void entry.close?.().catch(() => undefined);
      }
    });
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n").find((l) => l.trim() !== "") ?? msg).replace(/\.$/, "").slice(0, 400);
}
