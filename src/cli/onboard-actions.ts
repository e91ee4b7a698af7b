// Implementation of `simpleclaw onboard` (lazy-loaded): the wizard (@clack/prompts) or
// the flag-driven form collects the answers, then one writer creates the state dir
// (700), the config (600, secure defaults from onboard/plan.ts), the model key in
// credentials/providers.json (600), the channel token through `channels add`'s code,
// seeds the workspace and ends with the security audit. An existing config is only
// replaced after a yes (wizard) or --force (flags), and always backed up first.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChannelId } from "../channels/types.js";
import { configPath, statePaths } from "../config/paths.js";
import { ensureDir, writeFileAtomic } from "../infra/atomic-fs.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import {
  answersProblem,
  buildConfig,
  DEFAULT_MODELS,
  modelRef,
  ONBOARD_CHANNELS,
  PROVIDERS,
  providerId,
  type OnboardAnswers,
  type ProviderChoice,
} from "../onboard/plan.js";

export interface OnboardFlags {
  nonInteractive?: boolean;
  provider?: string;
  baseUrl?: string;
  model?: string;
  apiKeyEnv?: string;
  apiKeyStdin?: boolean;
  channel?: string;
  channelTokenEnv?: string;
  force?: boolean;
  rotateToken?: boolean;
}

interface Collected {
  answers: OnboardAnswers;
  apiKey?: string;
  channelToken?: string;
  /** The operator agreed to replace an existing config (wizard) or passed --force. */
  replace: boolean;
}

const usage = (msg: string) => new UserError(msg, EXIT.usage);
/** What the wizard shows for an OpenAI-compatible endpoint, and takes on Enter (Ollama's defaults). */
const DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1";
const DEFAULT_COMPATIBLE_MODEL = "llama3.1";

function readStdin(): string {
  try {
    return readFileSync(0, "utf8").trim();
  } catch {
    return "";
  }
}

function envValue(name: string, flag: string, env: NodeJS.ProcessEnv): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usage(`${flag} takes an environment variable name, got "${name}".`);
  const v = env[name]?.trim();
  if (!v) throw usage(`${flag} ${name}: that environment variable is empty or unset.`);
  return v;
}

export function collectFromFlags(f: OnboardFlags, env: NodeJS.ProcessEnv = process.env, stdin: () => string = readStdin): Collected {
  if (!f.provider) throw usage(`--non-interactive needs --provider (${PROVIDERS.join(", ")}).`);
  if (f.channel && !f.channelTokenEnv) throw usage(`--channel ${f.channel} needs --channel-token-env NAME (the variable holding the bot token).`);
  if (f.channelTokenEnv && !f.channel) throw usage(`--channel-token-env needs --channel (${ONBOARD_CHANNELS.join(", ")}).`);
  if (f.apiKeyEnv && f.apiKeyStdin) throw usage("give the API key with either --api-key-env or --api-key-stdin, not both.");
  const answers: OnboardAnswers = {
    provider: f.provider as ProviderChoice,
    token: randomBytes(32).toString("base64url"),
    ...(f.baseUrl !== undefined ? { baseUrl: f.baseUrl } : {}),
    ...(f.model !== undefined ? { model: f.model } : {}),
    ...(f.channel ? { channel: f.channel as ChannelId } : {}),
  };
  const problem = answersProblem(answers);
  if (problem) throw usage(problem);
  let apiKey: string | undefined;
  if (f.apiKeyEnv) apiKey = envValue(f.apiKeyEnv, "--api-key-env", env);
  else if (f.apiKeyStdin) {
    apiKey = stdin();
    if (!apiKey) throw usage("--api-key-stdin: nothing was read from stdin.");
  } else if (answers.provider !== "openai-compatible") {
    throw usage(`--provider ${answers.provider} needs its API key: --api-key-env NAME or --api-key-stdin.`);
  }
  const channelToken = f.channelTokenEnv ? envValue(f.channelTokenEnv, "--channel-token-env", env) : undefined;
  return { answers, ...(apiKey ? { apiKey } : {}), ...(channelToken ? { channelToken } : {}), replace: !!f.force };
}

async function collectInteractively(env: NodeJS.ProcessEnv): Promise<Collected | undefined> {
  const p = await import("@clack/prompts");
  const stop = (v: unknown): v is symbol => {
    if (p.isCancel(v)) {
      p.cancel("Setup cancelled; nothing was written.");
      process.exitCode = EXIT.interrupted;
      return true;
    }
    return false;
  };
  p.intro("SimpleClaw setup");
  const cfgPath = configPath(env);
  let replace = false;
  if (existsSync(cfgPath)) {
    const yes = await p.confirm({ message: `${cfgPath} already exists. Replace it? (the old one is kept as a backup)`, initialValue: false });
    if (stop(yes)) return undefined;
    if (!yes) {
      p.outro("Kept your config; nothing was written. Run `simpleclaw doctor` to check it.");
      return undefined;
    }
    replace = true;
  }
  const provider = await p.select<ProviderChoice>({
    message: "Which model provider?",
    options: [
      { value: "anthropic", label: "Anthropic", hint: "Claude" },
      { value: "openai", label: "OpenAI" },
      { value: "openai-compatible", label: "OpenAI-compatible endpoint", hint: "Ollama, vLLM, LM Studio, a proxy…" },
    ],
  });
  if (stop(provider)) return undefined;
  let baseUrl: string | undefined;
  if (provider === "openai-compatible") {
    const v = await p.text({
      message: "Base URL of the endpoint",
      // Enter takes the value shown (the prompt fills it in after validating, so "" means the default).
      placeholder: DEFAULT_BASE_URL,
      defaultValue: DEFAULT_BASE_URL,
      validate: (s) => (answersProblem({ provider, baseUrl: s || DEFAULT_BASE_URL, model: "x" })?.replace("--base-url", "the URL") ?? undefined),
    });
    if (stop(v)) return undefined;
    baseUrl = v.trim();
  }
  const keyName = provider === "anthropic" ? "ANTHROPIC_API_KEY" : provider === "openai" ? "OPENAI_API_KEY" : undefined;
  const apiKey = await p.password({
    message: keyName ? `API key (stored in credentials/providers.json, mode 600; empty: use $${keyName} at run time)` : "API key, if the endpoint needs one (empty: none)",
  });
  if (stop(apiKey)) return undefined;
  // Check the endpoint and key now, and offer the models it lists (onboard/probe.ts).
  const { probeModels } = await import("../onboard/probe.js");
  const spin = p.spinner();
  spin.start(`Checking ${baseUrl ?? provider}…`);
  const key = apiKey.trim() || (keyName ? env[keyName]?.trim() : undefined);
  const probe = await probeModels(provider, baseUrl, key || undefined);
  if (probe.ok) spin.stop(`The endpoint answers: ${probe.models.length} model${probe.models.length === 1 ? "" : "s"} available.`);
  else spin.error(`Could not check the endpoint: ${probe.reason}. You can go on; \`simpleclaw doctor\` checks it again later.`);
  const def = provider === "openai-compatible" ? (probe.ok && probe.models[0]) || undefined : DEFAULT_MODELS[provider];
  let model: string;
  if (probe.ok && probe.models.length > 0 && probe.models.length <= 50) {
    const OTHER = "\u0000other";
    const initial = def && probe.models.includes(def) ? def : probe.models[0]!;
    const picked = await p.select<string>({
      message: "Model",
      options: [...probe.models.map((m) => ({ value: m, label: m })), { value: OTHER, label: "Another model id…" }],
      initialValue: initial,
    });
    if (stop(picked)) return undefined;
    model = picked;
    if (picked === OTHER) model = "";
  } else {
    model = "";
  }
  if (model === "") {
    const fallback = def ?? DEFAULT_COMPATIBLE_MODEL;
    const typed = await p.text({
      message: "Model id",
      placeholder: fallback,
      defaultValue: fallback,
      validate: (s) => (s && /\s/.test(s) ? "no spaces in a model id" : undefined),
    });
    if (stop(typed)) return undefined;
    model = typed;
    if (probe.ok && probe.models.length > 0 && !probe.models.includes(typed.trim() || fallback)) {
      p.log.warn(`${typed.trim() || fallback} is not among the models the endpoint lists; replies will fail until it is.`);
    }
  }
  const channel = await p.select<"telegram" | "discord" | "none">({
    message: "Connect a chat channel now? (you can add one later with `simpleclaw channels add`)",
    options: [
      { value: "none", label: "Not now", hint: "web chat and CLI only" },
      { value: "telegram", label: "Telegram", hint: "bot token from @BotFather" },
      { value: "discord", label: "Discord", hint: "bot token from the developer portal" },
    ],
    initialValue: "none",
  });
  if (stop(channel)) return undefined;
  let channelToken: string | undefined;
  if (channel !== "none") {
    const { channelTokenProblem } = await import("./channels-actions.js");
    const { probeBotToken } = await import("../onboard/probe.js");
    // Ask the platform who the token belongs to; a token it rejects is asked for again.
    for (;;) {
      const t = await p.password({ message: `${channel} bot token`, validate: (s) => (!s ? "the bot token is needed" : (channelTokenProblem(channel, s) ?? undefined)) });
      if (stop(t)) return undefined;
      channelToken = t.trim();
      const check = p.spinner();
      check.start(`Checking the token with ${channel === "telegram" ? "Telegram" : "Discord"}…`);
      const who = await probeBotToken(channel, channelToken);
      if (who.ok) {
        check.stop(`The token belongs to ${who.name}.`);
        break;
      }
      if (/rejected/.test(who.reason)) {
        check.error(`${who.reason}; paste the token again.`);
        continue;
      }
      check.error(`Could not check the token: ${who.reason}. It is saved unchecked; the gateway's log says whether it works.`);
      break;
    }
  }
  const answers: OnboardAnswers = {
    provider,
    token: randomBytes(32).toString("base64url"),
    ...(baseUrl ? { baseUrl } : {}),
    ...(model.trim() ? { model: model.trim() } : {}),
    ...(channel !== "none" ? { channel } : {}),
  };
  return { answers, ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}), ...(channelToken ? { channelToken } : {}), replace };
}

/** Merges one provider key into credentials/providers.json (dir 700, file 600). */
export function storeProviderKey(credentialsDir: string, id: string, apiKey: string, load: (dir: string) => Record<string, { apiKey?: string }>): string {
  ensureDir(credentialsDir, 0o700);
  chmodSync(credentialsDir, 0o700);
  const creds = load(credentialsDir);
  creds[id] = { ...(creds[id] ?? {}), apiKey };
  const path = join(credentialsDir, "providers.json");
  writeFileAtomic(path, `${JSON.stringify(creds, null, 2)}\n`, 0o600);
  return path;
}

export async function onboard(flags: OnboardFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let collected: Collected | undefined;
  if (flags.nonInteractive) {
    collected = collectFromFlags(flags, env);
  } else {
    const flagged = ["provider", "baseUrl", "model", "apiKeyEnv", "apiKeyStdin", "channel", "channelTokenEnv"].filter((k) => flags[k as keyof OnboardFlags] !== undefined);
    if (flagged.length) throw usage("setup flags such as --provider only work with --non-interactive.");
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw usage("onboard asks questions but this is not a terminal; use `simpleclaw onboard --non-interactive --provider …` (see --help).");
    }
    collected = await collectInteractively(env);
    if (!collected) return;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await writeSetup(collected, env, say, !!flags.rotateToken);
}

async function writeSetup(c: Collected, env: NodeJS.ProcessEnv, say: (line: string) => void, rotateToken: boolean): Promise<void> {
  const paths = statePaths(env);
  const cfgPath = configPath(env);
  const { backupConfig } = await import("../doctor/doctor.js");
  let keptToken = false;
  if (existsSync(cfgPath)) {
    if (!c.replace) throw new UserError(`${cfgPath} already exists; nothing was changed. Pass --force to replace it (a backup is made first), or check it with simpleclaw doctor.`);
    // Re-running setup to change one thing keeps the gateway token: every signed-in client
    // and service file keeps working. --rotate-token asks for a new one.
    if (!rotateToken) {
      const { readRawConfig, getAt } = await import("../config/io.js");
      const old = getAt(readRawConfig(env).raw, ["gateway", "auth", "token"]);
      if (typeof old === "string" && old.length > 0) {
        c.answers.token = old;
        keptToken = true;
      }
    }
  }
  const raw = buildConfig(c.answers);
  const { validateConfig, saveRawConfig } = await import("../config/io.js");
  const v = validateConfig(raw);
  if (!v.ok) throw new UserError(`the answers give an invalid config: ${v.problems.join("; ")}.`, EXIT.usage);
  // Check the channel token before anything is written.
  const channels = c.answers.channel ? await import("./channels-actions.js") : undefined;
  if (channels && c.answers.channel) {
    const problem = channels.channelTokenProblem(c.answers.channel, c.channelToken ?? "");
    if (problem) throw usage(problem);
  }

  ensureDir(paths.dir, 0o700);
  chmodSync(paths.dir, 0o700);
  if (existsSync(cfgPath)) say(`Backed up the old config to ${backupConfig(cfgPath)} (600).`);
  saveRawConfig(raw, env);
  say(`Wrote ${cfgPath} (600): loopback bind, token auth, sandbox for non-main sessions, exec allowlist + ask.`);
  if (keptToken) say("Kept the existing gateway token (pass --rotate-token for a new one).");

  if (c.apiKey) {
    const { loadProviderCredentials } = await import("../agents/model-ref.js");
    let where: string;
    try {
      where = storeProviderKey(paths.credentials, providerId(c.answers.provider), c.apiKey, loadProviderCredentials);
    } catch (err) {
      throw new UserError(`could not store the API key: ${errorMessage(err)}`);
    }
    say(`Stored the ${providerId(c.answers.provider)} API key in ${where} (600).`);
  } else {
    ensureDir(paths.credentials, 0o700);
    if (c.answers.provider !== "openai-compatible") say(`No API key stored: the gateway will read it from its environment.`);
  }

  if (channels && c.answers.channel && c.channelToken) {
    const file = channels.storeChannelSecrets(c.answers.channel, { botToken: c.channelToken }, env);
    say(`Stored the ${c.answers.channel} bot token in ${file} (600) and enabled channels.${c.answers.channel}.`);
  }

  const { workspacePath, defaultAgent, seedWorkspace } = await import("../agents/workspace.js");
  const ws = seedWorkspace(workspacePath(v.config, defaultAgent(v.config), env));
  say(`Seeded the workspace at ${ws} (AGENTS.md, SOUL.md, USER.md, MEMORY.md).`);
  say(`Model: ${modelRef(c.answers)}. Gateway token: saved in the config; show it with \`simpleclaw config get gateway.auth.token\`.`);

  const { runAudit } = await import("../audit/audit.js");
  const { report } = await runAudit({ env });
  const s = report.summary;
  say("");
  say(`Security audit: ${s.critical} critical, ${s.warn} warn, ${s.info} info.`);
  for (const f of report.findings.filter((x) => x.severity !== "info")) say(`  ${f.severity === "critical" ? "✗" : "!"} ${f.checkId}: ${f.title}`);
  if (s.critical > 0) {
    say("Fix the critical findings before exposing the gateway: simpleclaw security audit (details) / --fix (safe fixes).");
    process.exitCode = EXIT.failure;
  }
  say("");
  say("Next:");
  say("  npx simpleclaw gateway           # run it in the foreground");
  say("  npx simpleclaw gateway install   # or as a service that starts at login");
  say(`  then open http://127.0.0.1:${c.answers.port ?? 18789}/ and paste the gateway token, or: npx simpleclaw agent -m "hello"`);
  if (c.answers.channel) say(`  message your ${c.answers.channel} bot, then approve yourself: npx simpleclaw pairing approve ${c.answers.channel} <code>`);
  say("  npx simpleclaw doctor            # check the setup any time");
}
