// The one source of truth for every config key and its default (docs/configuration.md).
// Objects are strict: an unknown key is an error, never silently ignored.
// Loading, saving and error formatting live in config/io.ts.
import { z } from "zod";
import { parseOriginPattern } from "../net/origin-pattern.js";
import { parseCidr } from "../net/address.js";
import { CONFIG_VERSION } from "./migrate.js";

const port = z.number().int().min(1).max(65535);
const secret = z.string().min(1);
const toolSwitch = z.strictObject({ enabled: z.boolean().optional() });

const rateLimit = z
  .strictObject({
    maxAttempts: z.number().int().min(1).default(10),
    windowMs: z.number().int().min(1000).default(60_000),
    lockoutMs: z.number().int().min(1000).default(300_000),
    exemptLoopback: z.boolean().default(false),
    globalMaxAttempts: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe("password mode: wrong passwords allowed per windowMs from all networks together before everyone is locked out for lockoutMs"),
  })
  .prefault({});

const gateway = z
  .strictObject({
    port: port.default(18789),
    bind: z.enum(["loopback", "lan", "tailnet", "custom"]).default("loopback"),
    customBindHost: z.string().min(1).optional(),
    auth: z
      .strictObject({
        mode: z.enum(["token", "password", "none"]).default("token"),
        token: secret.optional(),
        password: secret.optional(),
        rateLimit,
      })
      .prefault({}),
    tls: z
      .strictObject({
        enabled: z.boolean().default(false),
        certPath: z.string().min(1).optional(),
        keyPath: z.string().min(1).optional(),
        autoGenerate: z.boolean().default(false),
      })
      .prefault({}),
    controlUi: z
      .strictObject({
        enabled: z.boolean().default(true),
        allowedOrigins: z
          .array(z.string().transform((s) => s.trim().toLowerCase()).pipe(z.string().min(1)))
          .default([])
          .describe("extra browser origins allowed to open /ws (trimmed, lower-cased)"),
      })
      .prefault({}),
    trustedProxies: z
      .array(z.string().refine((s) => parseCidr(s) !== undefined, { error: (i) => `${JSON.stringify(i.input)} is not an IP address or CIDR range (e.g. "127.0.0.1" or "10.0.0.0/8")` }))
      .default([])
      .describe("reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client; without them forwarded headers are ignored"),
    nodes: z
      .strictObject({
        autoApproveLoopback: z.boolean().default(false),
        commands: z
          .strictObject({
            allow: z.array(z.string()).default(["system.which", "system.info", "system.notify"]),
            deny: z.array(z.string()).default([]),
          })
          .prefault({}),
      })
      .prefault({}),
    tailscale: z.strictObject({ mode: z.enum(["off", "serve", "funnel"]).default("off") }).prefault({}),
    maxPayloadBytes: z.number().int().min(65_536).max(256 * 1024 * 1024).default(25 * 1024 * 1024),
    maxBufferedBytes: z
      .number()
      .int()
      .min(65_536)
      .max(1024 * 1024 * 1024)
      .default(8 * 1024 * 1024)
      .describe("unread bytes one client may have queued: past half of it chat deltas and ticks are dropped (one resync event), past all of it the client is disconnected (1013); see docs/operations.md"),
    maxPendingPerAddress: z.number().int().min(1).max(4096).default(32).describe("WebSocket connections from one address that have not authenticated yet; more are refused (429)"),
    maxPending: z.number().int().min(1).max(65_536).default(256).describe("unauthenticated WebSocket connections in all; at the cap the oldest from the busiest address is closed to admit a newcomer"),
    maxConnections: z.number().int().min(16).max(1_000_000).default(2048).describe("open TCP connections to the gateway port (HTTP and WebSocket); further connections are closed as soon as they are accepted"),
  })
  .superRefine((g, ctx) => {
    if (g.bind === "custom" && !g.customBindHost) {
      ctx.addIssue({ code: "custom", path: ["customBindHost"], message: 'is required when gateway.bind is "custom"' });
    }
    if (g.tls.enabled && !g.tls.autoGenerate && (!g.tls.certPath || !g.tls.keyPath)) {
      ctx.addIssue({ code: "custom", path: ["tls"], message: "needs certPath and keyPath, or autoGenerate: true, when enabled" });
    }
  })
  .prefault({});

const sandbox = z.strictObject({
  mode: z.enum(["off", "non-main", "all"]).optional(),
  backend: z.enum(["auto", "bwrap", "docker"]).optional(),
  workspaceAccess: z.enum(["rw", "ro", "none"]).optional(),
  network: z.boolean().optional(),
});

const toolLists = {
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
};

/** Where a scheduled job or heartbeat sends its reply (docs/cron.md): checked against the channel's access rules. */
export const deliveryTarget = z.strictObject({
  channel: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, "must be a channel id such as telegram"),
  peer: z.string().min(1).max(256).describe("the sender id (DM) or group id to send to"),
  chat: z.enum(["direct", "group"]).default("direct"),
});

const modelRef = z.strictObject({
  primary: z.string().min(1).optional(),
  fallbacks: z.array(z.string().min(1)).default([]),
});

const agents = z
  .strictObject({
    defaults: z
      .strictObject({
        model: modelRef.prefault({ primary: "anthropic/claude-sonnet-4-5" }),
        timeouts: z
          .strictObject({
            firstByteSeconds: z.number().positive().max(3600).default(120).describe("a model call must answer (response headers) within this; else it ends with a timeout and the next fallback is tried"),
            idleSeconds: z.number().positive().max(3600).default(120).describe("longest silence allowed between two chunks of a streamed model answer"),
            stepSeconds: z.number().positive().max(86_400).default(600).describe("one model call (one step of a run) as a whole; an endless stream is cut here"),
          })
          .prefault({}),
        workspace: z.string().min(1).optional().describe("default: <state dir>/workspace (~/.simpleclaw/workspace)"),
        sandbox: z
          .strictObject({
            mode: z.enum(["off", "non-main", "all"]).default("non-main"),
            backend: z.enum(["auto", "bwrap", "docker"]).default("auto"),
            workspaceAccess: z.enum(["rw", "ro", "none"]).default("rw"),
            network: z.boolean().default(false),
          })
          .prefault({}),
      })
      .prefault({}),
    list: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be lowercase letters, digits, - or _"),
          default: z.boolean().optional(),
          name: z.string().optional(),
          workspace: z.string().min(1).optional(),
          model: modelRef.partial().optional(),
          sandbox: sandbox.optional(),
          tools: z.strictObject(toolLists).optional(),
          heartbeat: z
            .strictObject({
              everyMinutes: z.number().int().min(1).max(1440).describe("run a heartbeat turn this often when the workspace has HEARTBEAT.md (docs/cron.md)"),
              deliver: deliveryTarget.optional().describe("where a reply that needs attention goes; a reply of just HEARTBEAT_OK is never delivered"),
            })
            .optional(),
        }),
      )
      .min(1)
      .default([{ id: "main", default: true }]),
  })
  .superRefine((a, ctx) => {
    const seen = new Set<string>();
    a.list.forEach((agent, i) => {
      if (seen.has(agent.id)) ctx.addIssue({ code: "custom", path: ["list", i, "id"], message: `duplicates agent id "${agent.id}"` });
      seen.add(agent.id);
    });
    if (a.list.filter((x) => x.default).length > 1) {
      ctx.addIssue({ code: "custom", path: ["list"], message: "may mark only one agent as default" });
    }
  })
  .prefault({});

const provider = z.strictObject({
  api: z.enum(["openai-completions", "anthropic-messages"]),
  baseUrl: z.url(),
  apiKey: secret.optional(),
  models: z.array(z.string()).optional(),
});

const groupEntry = z.strictObject({
  allow: z.boolean().default(true),
  requireMention: z.boolean().default(true),
  allowFrom: z.array(z.string()).default([]),
});

function channel(extra: Record<string, z.ZodType>) {
  return z
    .strictObject({
      enabled: z.boolean().default(false),
      dmPolicy: z.enum(["pairing", "allowlist", "open", "disabled"]).default("pairing"),
      allowFrom: z.array(z.string().min(1)).default([]),
      groupPolicy: z.enum(["allowlist", "open", "disabled"]).default("allowlist"),
      groups: z.record(z.string(), groupEntry).default({}),
      owners: z.array(z.string().min(1)).default([]),
      botToken: secret.optional(),
      ...extra,
    })
    .superRefine((c, ctx) => {
      if (c.dmPolicy === "open" && !c.allowFrom.includes("*")) {
        ctx.addIssue({ code: "custom", path: ["allowFrom"], message: 'must contain "*" when dmPolicy is "open"' });
      }
      if (c.dmPolicy !== "open" && c.allowFrom.includes("*")) {
        ctx.addIssue({
          code: "custom",
          path: ["allowFrom"],
          message: `contains "*", which admits nobody in particular under dmPolicy "${c.dmPolicy}"; to let anyone DM the assistant set dmPolicy "open" (with "*" in allowFrom), otherwise list sender ids`,
        });
      }
    });
}

const channels = z
  .strictObject({
    telegram: channel({ apiRoot: z.url().optional() }).optional(),
    discord: channel({ apiUrl: z.url().optional() }).optional(),
    slack: channel({
      apiUrl: z.url().optional(),
      appToken: secret.optional(),
      signingSecret: secret.optional(),
      mode: z.enum(["socket", "http"]).default("socket").describe('"socket" (Socket Mode, app-level token) or "http" (Events API at POST /slack/events, signing secret)'),
      httpPort: z.number().int().min(0).max(65535).default(3000).describe("HTTP events mode: the local port for POST /slack/events (put it behind your HTTPS proxy)"),
      httpHost: z.string().min(1).default("127.0.0.1").describe("HTTP events mode: the address to listen on; loopback unless the proxy runs elsewhere"),
    }).optional(),
    custom: z
      .record(
        z.string().regex(/^(?!(?:telegram|discord|slack|custom)$)[a-z][a-z0-9-]{1,31}$/, "must be 2-32 lowercase letters, digits or -, and not a built-in channel name"),
        channel({}),
      )
      .default({})
      .describe("channels provided by plugins (api.registerChannel), by channel id: the same access keys as the built-in channels"),
  })
  .prefault({});

const tools = z
  .strictObject({
    ...toolLists,
    fs: z.strictObject({ enabled: z.boolean().default(true), workspaceOnly: z.boolean().default(true) }).prefault({}),
    exec: z
      .strictObject({
        enabled: z.boolean().default(true),
        security: z.enum(["deny", "allowlist", "full"]).default("allowlist"),
        ask: z.enum(["off", "on-miss", "always"]).default("on-miss"),
        askTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
        askFallback: z.enum(["deny", "allow"]).default("deny"),
        applyPatch: z.strictObject({ workspaceOnly: z.boolean().default(true) }).prefault({}),
        nodeWorkspace: z
          .string()
          .min(1)
          .optional()
          .describe("on a node machine: the absolute directory system.run may use as cwd and redirect into (unset: no file redirects, cwd /)"),
      })
      .prefault({}),
    http: z.strictObject({ enabled: z.boolean().default(true), allowPrivateNetwork: z.boolean().default(false) }).prefault({}),
    browser: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
    elevated: z
      .strictObject({
        enabled: z.boolean().default(false),
        allowFrom: z.record(z.string(), z.array(z.string())).default({}),
      })
      .prefault({}),
    read: toolSwitch.optional(),
    write: toolSwitch.optional(),
    edit: toolSwitch.optional(),
    list: toolSwitch.optional(),
    apply_patch: toolSwitch.optional(),
    memory_search: toolSwitch.optional(),
    memory_get: toolSwitch.optional(),
    nodes: toolSwitch.optional(),
    cron: toolSwitch.optional().describe("the agent's cron tool: jobs it creates wait for the owner's approval (docs/cron.md)"),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .number()
      .int()
      .min(1)
      .max(CONFIG_VERSION)
      .optional()
      .describe(`config schema version (current: ${CONFIG_VERSION}); none means the oldest, and \`simpleclaw doctor --fix\` upgrades it`),
    gateway,
    agents,
    models: z
      .strictObject({ providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), provider).default({}) })
      .prefault({}),
    session: z
      .strictObject({
        dmScope: z
          .enum(["per-sender", "main"])
          .default("per-sender")
          .describe('"per-sender": the owner\'s DMs go to the main session, every other sender gets a session of their own; "main": every DM shares the main session (only for a single-person setup)'),
      })
      .prefault({}),
    tools,
    channels,
    memory: z
      .strictObject({
        enabled: z.boolean().default(true).describe("false: no memory tools, no index, no watcher"),
        extraPaths: z
          .array(z.string().min(1))
          .default([])
          .describe("more Markdown files or folders to index (relative paths: against the agent workspace)"),
        watch: z.boolean().default(true).describe("re-index on file changes while the gateway runs"),
        chunkTokens: z.number().int().min(50).max(4000).default(400),
        chunkOverlapTokens: z.number().int().min(0).max(1000).default(80),
        embeddings: z
          .strictObject({
            provider: z.enum(["none", "openai", "openai-compatible"]).default("none"),
            baseUrl: z.url().optional().describe("required for openai-compatible; optional for openai"),
            model: z.string().min(1).optional().describe("default for openai: text-embedding-3-small"),
            apiKey: secret.optional(),
            apiKeyEnv: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
              .optional()
              .describe("environment variable holding the key (openai default: OPENAI_API_KEY)"),
            batchSize: z.number().int().min(1).max(2048).default(64),
          })
          .superRefine((e, ctx) => {
            if (e.provider === "openai-compatible" && !e.baseUrl) {
              ctx.addIssue({ code: "custom", path: ["baseUrl"], message: 'is required when provider is "openai-compatible"' });
            }
            if (e.provider === "openai-compatible" && !e.model) {
              ctx.addIssue({ code: "custom", path: ["model"], message: 'is required when provider is "openai-compatible"' });
            }
          })
          .prefault({}),
        weights: z
          .strictObject({
            vector: z.number().min(0).max(1).default(0.7),
            keyword: z.number().min(0).max(1).default(0.3),
            recency: z.number().min(0).max(1).default(0.2).describe("how much of a dated note's score age can take away"),
          })
          .prefault({}),
        recencyHalfLifeDays: z.number().min(0).default(30).describe("0 turns recency decay off"),
      })
      .prefault({}),
    skills: z
      .strictObject({
        allow: z
          .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a skill name: 1-64 lowercase letters, digits or -"))
          .optional()
          .describe("when set, the only skills the agent sees and may read (docs/skills.md); unset = every skill whose requirements are met"),
      })
      .prefault({}),
    plugins: z
      .strictObject({
        allow: z.array(z.string()).optional(),
        load: z.strictObject({ paths: z.array(z.string()).default([]) }).prefault({}),
        entries: z
          .record(z.string(), z.strictObject({ enabled: z.boolean().default(true), config: z.unknown().optional() }))
          .default({}),
      })
      .prefault({}),
    browser: z
      .strictObject({
        executablePath: z.string().min(1).optional().describe("Chromium to launch (default: chromium, chromium-browser or google-chrome found on PATH)"),
        cdpUrl: z
          .string()
          .min(1)
          .optional()
          .describe("attach to a running browser over CDP instead of launching one; must carry credentials and be loopback or wss:// (see docs/browser.md)"),
        headless: z.boolean().default(true),
        profileDir: z
          .string()
          .min(1)
          .optional()
          .describe("profile for unsandboxed sessions (default: <state dir>/browser/profiles/<agent id>, mode 700); sandboxed sessions always get a throwaway profile"),
        allowPrivateNetwork: z
          .boolean()
          .default(false)
          .describe("let pages load loopback/LAN/link-local addresses (cloud metadata endpoints stay refused)"),
        allowedOrigins: z
          .array(z.string().refine((s) => typeof parseOriginPattern(s) !== "string", { error: (i) => String(parseOriginPattern(String(i.input))) }))
          .default([])
          .describe('when non-empty, the only origins pages may load, e.g. ["https://example.com", "https://*.example.com"]'),
        blockedOrigins: z
          .array(z.string().refine((s) => typeof parseOriginPattern(s) !== "string", { error: (i) => String(parseOriginPattern(String(i.input))) }))
          .default([])
          .describe("origins pages may never load (wins over allowedOrigins)"),
        idleTimeoutSeconds: z.number().int().min(10).max(86_400).default(600).describe("close a browser nobody used for this long"),
      })
      .prefault({}),
    logging: z
      .strictObject({
        level: z.enum(["debug", "info", "warn", "error"]).default("info"),
        redactSensitive: z.boolean().default(true),
      })
      .prefault({}),
    tui: z.strictObject({ localShell: z.boolean().default(true) }).prefault({}),
    cron: z
      .strictObject({
        enabled: z.boolean().default(true).describe("false: no scheduled job or heartbeat runs (jobs stay in state.db)"),
        graceMinutes: z
          .number()
          .int()
          .min(0)
          .max(1440)
          .default(15)
          .describe("a run missed while the gateway was down runs once at start if it is at most this late; older ones are recorded as missed"),
      })
      .prefault({}),
  })
  .prefault({});

/** The config as the gateway uses it: every default filled in. */
export type Config = z.output<typeof configSchema>;
/** The config as a user writes it: everything optional. */
export type ConfigInput = z.input<typeof configSchema>;
