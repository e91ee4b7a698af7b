// What loaded plugins contributed, and how the gateway calls back into them. Each
// plugin registers into a staging area; only a plugin whose register() finished
// without throwing is committed, so a half-registered plugin leaves nothing behind.
import { RESERVED_CHANNEL_IDS } from "../config/channels.js";
import type { LanguageModel } from "ai";
import type { Command } from "commander";
import { z } from "zod";
import type { ChannelAdapter } from "../channels/types.js";
import type { ToolContext, ToolDef } from "../tools/types.js";

export const HOOKS = ["message:received", "before_tool_call", "gateway:start", "gateway:stop"] as const;
export type HookName = (typeof HOOKS)[number];

export interface MessageReceivedEvent {
  sessionKey: string;
  text: string;
  origin: { kind: string; channel?: string; peer?: string };
}
export interface BeforeToolCallEvent {
  toolName: string;
  input: unknown;
  sessionKey: string;
  agentId: string;
}
/** A before_tool_call handler may veto the call by returning { block: "<reason the model reads>" }. */
export type BeforeToolCallResult = void | { block: string };

export interface HookHandlers {
  "message:received": (e: MessageReceivedEvent) => void | Promise<void>;
  before_tool_call: (e: BeforeToolCallEvent) => BeforeToolCallResult | Promise<BeforeToolCallResult>;
  "gateway:start": (e: { url: string }) => void | Promise<void>;
  "gateway:stop": (e: Record<string, never>) => void | Promise<void>;
}

export interface PluginTool<I = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  execute(input: I, ctx: ToolContext): Promise<string> | string;
}

export interface PluginCommand {
  name: string;
  description: string;
  handler(args: string, ctx: { sessionKey: string; origin: MessageReceivedEvent["origin"] }): string | Promise<string>;
}

export interface PluginProvider {
  id: string;
  createModel(modelId: string): LanguageModel;
}

/** A chat channel: `create` returns an adapter following the channel contract (channels/types.ts). */
export interface PluginChannel {
  id: string;
  create(opts: { onError(e: unknown): void }): ChannelAdapter | Promise<ChannelAdapter>;
}

export interface PluginLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The object a plugin's register(api) receives. */
export interface PluginApi {
  readonly id: string;
  /** plugins.entries.<id>.config, validated against the manifest's configSchema. */
  readonly config: unknown;
  /** The gateway's zod, for tool input schemas. */
  readonly z: typeof z;
  readonly logger: PluginLogger;
  registerTool<I>(tool: PluginTool<I>): void;
  registerCommand(command: PluginCommand): void;
  registerProvider(provider: PluginProvider): void;
  registerCli(register: (program: Command) => void): void;
  /** A chat channel; it runs only when channels.custom.<id>.enabled, behind the same access control as built-in channels. */
  registerChannel(channel: PluginChannel): void;
  on<H extends HookName>(hook: H, handler: HookHandlers[H]): void;
}

export type PluginStatus = "loaded" | "blocked" | "disabled" | "error";

export interface PluginReport {
  id: string;
  dir: string;
  status: PluginStatus;
  name?: string;
  version?: string;
  reason?: string;
  contributes?: { tools: string[]; commands: string[]; providers: string[]; channels: string[]; hooks: string[]; cli: number };
}

const NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;
const COMMAND_RE = /^[a-z][a-z0-9-]{0,31}$/;
const RESERVED_COMMANDS = new Set(["new", "reset", "status", "stop", "help", "approve", "deny", "export-session"]);

interface Staged {
  tools: ToolDef[];
  commands: Array<PluginCommand & { pluginId: string }>;
  providers: PluginProvider[];
  channels: PluginChannel[];
  cli: Array<(program: Command) => void>;
  hooks: Array<{ hook: HookName; handler: HookHandlers[HookName]; pluginId: string }>;
}

export class PluginHost {
  readonly tools: ToolDef[] = [];
  readonly commands = new Map<string, PluginCommand & { pluginId: string }>();
  readonly providers = new Map<string, PluginProvider>();
  readonly channels = new Map<string, PluginChannel & { pluginId: string }>();
  readonly cli: Array<(program: Command) => void> = [];
  readonly reports: PluginReport[] = [];
  private hooks: Staged["hooks"] = [];

  constructor(
    private reservedTools: ReadonlySet<string> = new Set(),
    private onHookError: (pluginId: string, hook: string, err: unknown) => void = () => {},
  ) {}

  /** A staging API for one plugin; `commit()` publishes what it registered. */
  stage(id: string, config: unknown, logger: PluginLogger): { api: PluginApi; commit(): PluginReport["contributes"] } {
    const s: Staged = { tools: [], commands: [], providers: [], channels: [], cli: [], hooks: [] };
    const taken = (name: string) => this.reservedTools.has(name) || this.tools.some((t) => t.name === name) || s.tools.some((t) => t.name === name);
    let open = true;
    const guard = (what: string) => {
      if (!open) throw new Error(`${what} after register() finished: register everything inside register(api)`);
    };
    const api: PluginApi = {
      id,
      config,
      z,
      logger,
      registerTool: (tool) => {
        guard("registerTool");
        if (!tool || typeof tool.execute !== "function") throw new Error("registerTool needs { name, description, inputSchema, execute }");
        if (!NAME_RE.test(String(tool.name))) throw new Error(`tool name "${String(tool.name)}" must be lowercase letters, digits and _`);
        if (taken(tool.name)) throw new Error(`tool name "${tool.name}" is already taken`);
        if (!(tool.inputSchema instanceof z.ZodType)) throw new Error(`tool "${tool.name}" needs a zod inputSchema (use api.z)`);
        const execute = tool.execute;
        s.tools.push({
          name: tool.name,
          group: "plugins",
          description: String(tool.description ?? ""),
          inputSchema: tool.inputSchema as z.ZodType<unknown>,
          execute: async (input, ctx) => String(await execute(input as never, ctx)),
        });
      },
      registerCommand: (command) => {
        guard("registerCommand");
        if (!COMMAND_RE.test(String(command?.name))) throw new Error(`command name "${String(command?.name)}" must be lowercase letters, digits and -`);
        if (RESERVED_COMMANDS.has(command.name) || this.commands.has(command.name) || s.commands.some((c) => c.name === command.name)) {
          throw new Error(`command /${command.name} is already taken`);
        }
        s.commands.push({ ...command, pluginId: id });
      },
      registerProvider: (provider) => {
        guard("registerProvider");
        if (!/^[a-z0-9][a-z0-9_-]*$/.test(String(provider?.id)) || typeof provider.createModel !== "function") {
          throw new Error("registerProvider needs { id, createModel(modelId) }");
        }
        if (this.providers.has(provider.id) || s.providers.some((p) => p.id === provider.id)) throw new Error(`provider "${provider.id}" is already taken`);
        s.providers.push(provider);
      },
      registerChannel: (channel) => {
        guard("registerChannel");
        if (!/^[a-z][a-z0-9-]{1,31}$/.test(String(channel?.id)) || typeof channel.create !== "function") {
          throw new Error("registerChannel needs { id (2-32 lowercase letters, digits, -), create(opts) }");
        }
        if (RESERVED_CHANNEL_IDS.includes(channel.id)) throw new Error(`channel id "${channel.id}" is reserved for a built-in channel`);
        if (this.channels.has(channel.id) || s.channels.some((c) => c.id === channel.id)) throw new Error(`channel "${channel.id}" is already taken`);
        s.channels.push(channel);
      },
      registerCli: (register) => {
        guard("registerCli");
        if (typeof register !== "function") throw new Error("registerCli needs a function (program) => void");
        s.cli.push(register);
      },
      on: (hook, handler) => {
        guard("on");
        if (!HOOKS.includes(hook)) throw new Error(`unknown hook "${String(hook)}"; hooks are ${HOOKS.join(", ")}`);
        if (typeof handler !== "function") throw new Error(`the ${hook} handler must be a function`);
        s.hooks.push({ hook, handler: handler as HookHandlers[HookName], pluginId: id });
      },
    };
    return {
      api,
      commit: () => {
        open = false;
        this.tools.push(...s.tools);
        for (const c of s.commands) this.commands.set(c.name, c);
        for (const p of s.providers) this.providers.set(p.id, p);
        for (const c of s.channels) this.channels.set(c.id, { ...c, pluginId: id });
        this.cli.push(...s.cli);
        this.hooks.push(...s.hooks);
        return {
          tools: s.tools.map((t) => t.name),
          commands: s.commands.map((c) => c.name),
          providers: s.providers.map((p) => p.id),
          channels: s.channels.map((c) => c.id),
          hooks: [...new Set(s.hooks.map((h) => h.hook))],
          cli: s.cli.length,
        };
      },
    };
  }

  /** Runs every handler of an observing hook; a failing handler is reported, never thrown. */
  async emit<H extends Exclude<HookName, "before_tool_call">>(hook: H, event: Parameters<HookHandlers[H]>[0]): Promise<void> {
    for (const h of this.hooks) {
      if (h.hook !== hook) continue;
      try {
        await (h.handler as (e: unknown) => unknown)(event);
      } catch (err) {
        this.onHookError(h.pluginId, hook, err);
      }
    }
  }

  /** The first veto from a before_tool_call handler, as a sentence; undefined lets the call run. A throwing handler blocks (fail closed). */
  async beforeToolCall(event: BeforeToolCallEvent): Promise<string | undefined> {
    for (const h of this.hooks) {
      if (h.hook !== "before_tool_call") continue;
      try {
        const r = await (h.handler as HookHandlers["before_tool_call"])(event);
        if (r && typeof r === "object" && typeof r.block === "string") return `blocked by plugin ${h.pluginId}: ${r.block}`;
      } catch (err) {
        this.onHookError(h.pluginId, "before_tool_call", err);
        return `blocked: plugin ${h.pluginId}'s before_tool_call hook failed`;
      }
    }
    return undefined;
  }

  hasHooks(hook: HookName): boolean {
    return this.hooks.some((h) => h.hook === hook);
  }
}
