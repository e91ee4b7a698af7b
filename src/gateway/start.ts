// Gateway start-up, in order: load + validate config (exit 78 when invalid), make
// sure a secret exists (first start generates a token into the 600 config), decide
// the bind address and refuse unsafe exposure, load TLS, then listen.
import { randomBytes } from "node:crypto";
import { chmodSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { loadConfig, saveRawConfig, setAt } from "../config/io.js";
import { parsePort, statePaths, type Env } from "../config/paths.js";
import { removeRuntimeRecord, writeRuntimeRecord, type RuntimeRecord } from "../config/runtime-record.js";
import { parseHost } from "../net/address.js";
import { CONFIG_VERSION } from "../config/migrate.js";
import { parseTrustedProxies } from "../security/client-address.js";
import { ensureDir, sweepStaleTemps } from "../infra/atomic-fs.js";
import { EXIT, UserError, errorMessage } from "../infra/errors.js";
import { Logger } from "../infra/log.js";
import { Redactor } from "../infra/redact.js";
import { version } from "../infra/version.js";
import { AuthRateLimiter, resolveAuth } from "../security/auth.js";
import { effectiveBindMode, exposureProblem, resolveBindHost } from "../security/exposure.js";
import { startServer, type RunningGateway } from "./server.js";
import { loadTls } from "./tls.js";

export interface StartOptions {
  env?: Env;
  /** --port from the command line; beats SIMPLECLAW_GATEWAY_PORT and gateway.port. 0 = any free port. */
  port?: number;
  /** Where the human log goes (default stderr; null silences it). */
  pretty?: NodeJS.WritableStream | null;
  /** Called with one line for the operator (start-up banner, generated token notice). */
  say?: (line: string) => void;
}

export async function startGateway(opts: StartOptions = {}): Promise<RunningGateway> {
  const env = opts.env ?? process.env;
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const paths = statePaths(env);
  ensureDir(paths.dir, 0o700);

  let loaded = loadConfig(env);
  let auth = resolveAuth(loaded.config, env);
  if (auth.mode === "token" && !auth.secret) {
    const token = randomBytes(32).toString("base64url");
    saveRawConfig(setAt(loaded.raw, ["gateway", "auth", "token"], token), env);
    loaded = loadConfig(env);
    auth = resolveAuth(loaded.config, env);
    say(`Generated a gateway token and saved it to ${loaded.path} (mode 600). Show it with: simpleclaw config get gateway.auth.token`);
  }
  let config = loaded.config;

  const bindMode = effectiveBindMode(config.gateway.bind, env);
  if (!bindMode.ok) throw new UserError(bindMode.message, EXIT.config);
  const bind = resolveBindHost(bindMode.mode, config.gateway.customBindHost, networkInterfaces());
  if (!bind.ok) throw new UserError(bind.message, EXIT.config);
  const exposure = exposureProblem(bind.host, auth);
  if (exposure) throw new UserError(exposure, EXIT.config);

  const port =
    opts.port ?? (env.SIMPLECLAW_GATEWAY_PORT ? parsePort(env.SIMPLECLAW_GATEWAY_PORT, "SIMPLECLAW_GATEWAY_PORT") : config.gateway.port);

  const redactor = new Redactor([
    config.gateway.auth.token,
    config.gateway.auth.password,
    env.SIMPLECLAW_GATEWAY_TOKEN,
    env.SIMPLECLAW_GATEWAY_PASSWORD,
    env.ANTHROPIC_API_KEY,
    env.OPENAI_API_KEY,
    env.TELEGRAM_BOT_TOKEN,
  ]);
  const logger = new Logger({
    logsDir: paths.logs,
    level: config.logging.level,
    redact: config.logging.redactSensitive,
    redactor,
    pretty: opts.pretty,
  });
  // The state dir holds secrets: an existing one with group/other access is tightened to 700.
  const stateMode = statSync(paths.dir).mode & 0o777;
  if (stateMode & 0o077) {
    chmodSync(paths.dir, 0o700);
    logger.warn("state dir was readable by others; set it to 700", { dir: paths.dir, was: stateMode.toString(8) });
  }
  // A writer killed mid-write leaves its temp file beside the (whole) target: clear them.
  for (const dir of [paths.dir, paths.credentials]) {
    for (const name of sweepStaleTemps(dir)) logger.info("removed a temp file left by an interrupted write", { file: `${dir}/${name}` });
  }
  if (loaded.exists && loaded.version < CONFIG_VERSION) {
    // Older schema: it runs migrated in memory; the file changes only through doctor --fix.
    logger.warn(`config ${loaded.path} is version ${loaded.version}, older than ${CONFIG_VERSION}: running with it upgraded in memory; run \`simpleclaw doctor --fix\` to upgrade the file (a backup is made first)`);
  }

  const tls = await loadTls(config, paths.tls);
  const { openStateDb } = await import("../infra/db.js");
  const { SessionStore } = await import("../agents/store.js");
  const { ChatService } = await import("../agents/chat.js");
  const { ChatQueueStore } = await import("../agents/queue.js");
  const { builtinTools } = await import("../tools/registry.js");
  const builtins = builtinTools();
  // Plugins: only ids in plugins.allow are imported (when it is set); a plugin that
  // fails to load is logged and skipped, never fatal.
  const { loadPlugins } = await import("../plugins/loader.js");
  const plugins = await loadPlugins({ config, configPath: loaded.path, pluginsDir: paths.plugins, reservedTools: new Set(builtins.map((t) => t.name)), logger });
  const { ApprovalManager } = await import("../exec/approvals.js");
  const { ChannelManager } = await import("../channels/manager.js");
  const { DeviceStore } = await import("../devices/store.js");
  const { DeviceService } = await import("../devices/service.js");
  const { NodeRegistry } = await import("../nodes/registry.js");
  // Browsers launch lazily on the first browser tool call; playwright-core loads only then,
  // and the service itself only exists when the tool is on.
  // The agent's tools never reach this gateway's own port (its Control UI and API): known once it listens.
  const ownPorts: number[] = [];
  const browser = config.tools.browser.enabled
    ? new (await import("../browser/service.js")).BrowserService({ stateDir: paths.dir, log: logger, ownPorts: () => ownPorts })
    : undefined;
  const { loadProviderCredentials, providerEnvKey } = await import("../agents/model-ref.js");
  // Model API keys are secrets too: keep them out of every log line.
  redactor.add(Object.keys(config.models.providers).flatMap((id) => [env[providerEnvKey(id)], config.models.providers[id]?.apiKey]));
  try {
    redactor.add(Object.values(loadProviderCredentials(paths.credentials)).map((c) => c?.apiKey));
  } catch (err) {
    logger.warn("cannot read credentials/providers.json", { err: (err as Error).message });
  }
  const db = openStateDb(paths.stateDb);
  // Memory index + watcher (memory/service.ts); its embedding key is a secret too.
  const memory = config.memory.enabled ? new (await import("../memory/service.js")).MemoryService({ config, env, db, logger }) : undefined;
  const memKeys = config.memory.embeddings;
  redactor.add([memKeys.apiKey, memKeys.apiKeyEnv ? env[memKeys.apiKeyEnv] : undefined]);
  const store = new SessionStore(db);
  let gwRef: RunningGateway | undefined;
  const approvals = new ApprovalManager({
    broadcast: (event, payload) => gwRef?.ctx.broadcast(event, payload),
    hasOperator: () => (gwRef?.ctx.connections.count("operator") ?? 0) > 0,
    logger,
  });
  let devices: InstanceType<typeof DeviceService> | undefined;
  const nodes = new NodeRegistry({
    commands: () => config.gateway.nodes.commands,
    stillPaired: (id) => devices?.stillPaired(id) ?? false,
  });
  devices = new DeviceService(new DeviceStore(db), {
    nodes,
    autoApproveLoopback: () => config.gateway.nodes.autoApproveLoopback,
    tailscaleMode: () => config.gateway.tailscale.mode,
    broadcast: (event, payload) => gwRef?.ctx.broadcast(event, payload),
    logger,
  });
  const services: import("../tools/types.js").ToolServices = { stateDir: paths.dir, approvals, nodes, memory, browser, ownPorts };
  const chat = new ChatService({
    config,
    env,
    store,
    logger,
    tools: [...builtins, ...plugins.tools],
    plugins,
    broadcast: (e) => gwRef?.ctx.broadcast("chat", e),
    services,
    approvals,
    queue: new ChatQueueStore(db),
  });
  const channels = new ChannelManager({
    config,
    env,
    credentialsDir: paths.credentials,
    chat,
    logger,
    redactor,
    broadcast: (event, payload) => gwRef?.ctx.broadcast(event, payload),
    pluginChannels: plugins.channels,
  });
  // Scheduled jobs and heartbeats (docs/cron.md): one timer, started once channels are up.
  const { createGatewayCron, heartbeatDefs } = await import("./cron.js");
  const cron = createGatewayCron({ db, config: () => config, env, chat, channels, logger, broadcast: (event, payload) => gwRef?.ctx.broadcast(event, payload) });
  if (config.cron.enabled) services.cron = cron.agentAccess;
  chat.setCron(cron.scheduler);
  let gw: RunningGateway;
  try {
    gw = await startServer(
      {
        version,
        config,
        configPath: loaded.path,
        stateDir: paths.dir,
        auth,
        limiter: new AuthRateLimiter({
          ...config.gateway.auth.rateLimit,
          // The global ceiling guards guessable passwords only (docs/security-model.md).
          globalMaxAttempts: auth.mode === "password" ? config.gateway.auth.rateLimit.globalMaxAttempts : undefined,
        }),
        trustedProxies: parseTrustedProxies(config.gateway.trustedProxies),
        logger,
        startedAt: Date.now(),
        bind: { mode: bindMode.mode, host: bind.host, port },
        tls: { enabled: !!tls, fingerprint256: tls?.fingerprint256 },
        maxPayload: config.gateway.maxPayloadBytes,
        env,
        store,
        chat,
        approvals,
        channels,
        devices,
        nodes,
        cron: cron.scheduler,
      },
      tls,
    );
  } catch (err) {
    db.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new UserError(`port ${port} on ${bind.host} is already in use (another gateway?); stop it or pass --port.`);
    }
    if (code === "EADDRNOTAVAIL" || code === "EACCES") {
      throw new UserError(`cannot listen on ${bind.host}:${port} (${code}); check gateway.bind, gateway.customBindHost and gateway.port.`);
    }
    throw err;
  }
  gwRef = gw;
  ownPorts.push(gw.port);
  chat.recover(); // messages acknowledged before a crash (docs/agents.md#queue-and-crashes)
  devices.watch();
  // Config hot reload: file edits and `config set` reach the running gateway (gateway/reload.ts).
  const { ConfigReloader } = await import("./reload.js");
  const reloader = new ConfigReloader({
    env,
    configPath: loaded.path,
    logger,
    current: () => config,
    apply: (next) => {
      config = next;
      gw.ctx.config = next;
      chat.setConfig(next);
      channels.setConfig(next);
      cron.scheduler.setHeartbeats(heartbeatDefs(next));
      redactor.add(Object.keys(next.models.providers).flatMap((id) => [env[providerEnvKey(id)], next.models.providers[id]?.apiKey]));
    },
  });
  gw.ctx.reloadConfig = () => reloader.reload("rpc");
  reloader.watch();
  // Channels connect once the gateway is up; a channel that fails to start is logged
  // and shown by `channels status`, and never stops the gateway.
  await channels.start();
  void memory?.start(); // indexes in the background; never delays or stops the gateway
  if (config.cron.enabled) cron.scheduler.start(); // catches up on runs missed while down, then arms its one timer
  const close = gw.close;
  const listening = gw.ctx.bind;
  const record: RuntimeRecord = {
    version: 1,
    pid: process.pid,
    host: listening.host,
    port: listening.port,
    tls: !!tls,
    ...(tls ? { fingerprint256: tls.fingerprint256 } : {}),
    startedAt: Date.now(),
    gatewayVersion: version,
  };
  writeRuntimeRecord(paths.dir, record);
  // A proxy in front without gateway.trustedProxies: record the first time each peer (up to
  // 16) or header shows up, for `security audit` (gateway.trusted_proxies_missing).
  gw.ctx.noteIgnoredForwarding = (peer, headers) => {
    const seen = record.ignoredForwarding ?? { peers: [], headers: [], since: Date.now() };
    const host = parseHost(peer);
    const addr = host.kind === "ip" ? host.canonical : peer;
    const newPeer = !seen.peers.includes(addr) && seen.peers.length < 16;
    const newHeaders = headers.filter((h) => !seen.headers.includes(h));
    if (!newPeer && !newHeaders.length) return;
    if (newPeer) {
      seen.peers.push(addr);
      logger.warn("forwarding headers ignored: the peer is not in gateway.trustedProxies, so every client behind it shares one lockout and admission budget", { peer: addr, headers });
    }
    seen.headers.push(...newHeaders);
    record.ignoredForwarding = seen;
    try {
      writeRuntimeRecord(paths.dir, record);
    } catch (err) {
      logger.warn("could not update the runtime record", { error: errorMessage(err) });
    }
  };
  gw.close = async (reason?: string) => {
    removeRuntimeRecord(paths.dir, process.pid);
    reloader.close();
    const cronStopped = cron.scheduler.stop(); // no new runs; runs in flight end with the chat service
    await plugins.emit("gateway:stop", {});
    await channels.stop();
    await close(reason);
    await cronStopped;
    await browser?.closeAll();
    await memory?.close();
    if (db.isOpen) db.close();
  };
  logger.info("gateway listening", { url: gw.url, auth: auth.mode, tls: !!tls });
  say(`SimpleClaw gateway ${version} listening on ${gw.url} (auth: ${auth.mode}${tls ? ", TLS" : ""})`);
  if (tls) say(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint256}`);
  if (config.gateway.controlUi.enabled) say(`Control UI: ${gw.url.replace(/^ws/, "http").replace(/\/ws$/, "/").replace("//0.0.0.0:", "//127.0.0.1:")}`);
  void plugins.emit("gateway:start", { url: gw.url });
  return gw;
}
