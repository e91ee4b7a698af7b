// `simpleclaw node run`: this machine joins a gateway as a node. It signs every
// connect with its device key (identity/device.json), waits for the owner's approval
// (saying so), keeps the device token it then gets, reconnects with backoff, and
// answers `node.invoke.request` events with commands.ts — system.run under this
// machine's own exec policy (system-run.ts).
import { hostname } from "node:os";
import { createInterface } from "node:readline";
import { statePaths, type Env } from "../config/paths.js";
import { loadOrCreateIdentity, signConnect } from "../devices/identity.js";
import { ensureDir } from "../infra/atomic-fs.js";
import { escapeForDisplay } from "../infra/display.js";
import { EXIT, UserError } from "../infra/errors.js";
import { version } from "../infra/version.js";
import { GatewayClient, GatewayError } from "../protocol/client.js";
import { NODE_COMMAND_NAMES, runNodeCommand } from "./commands.js";
import { CommandError } from "./errors.js";
import type { AskAnswer, LocalAsker } from "./system-run.js";
import { dropDeviceToken, loadDeviceToken, saveDeviceToken } from "./token-store.js";

export interface NodeHostOptions {
  url: string;
  token?: string;
  password?: string;
  name?: string;
  tlsFingerprint?: string;
  /** Longest wait between reconnect attempts. */
  reconnectMaxMs?: number;
  env?: Env;
  say?: (line: string) => void;
  signal?: AbortSignal;
}

/** Asks the person at this machine's terminal; without a terminal nobody can answer. */
function terminalAsker(say: (l: string) => void): LocalAsker {
  let chain: Promise<unknown> = Promise.resolve();
  return (req) => {
    if (!process.stdin.isTTY) return Promise.resolve("no-surface" as AskAnswer);
    const ask = () =>
      new Promise<AskAnswer>((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const timer = setTimeout(() => {
          rl.close();
          resolve("timeout");
        }, req.timeoutSeconds * 1000);
        say(`The gateway asks this node to run: ${req.command}\n  in ${req.cwd}${req.env.length ? `\n  with env ${req.env.join("\n           ")}` : ""}\n  (${req.reason})`);
        rl.question(`Allow? [y]es once / [a]lways / [N]o (${req.timeoutSeconds} s): `, (a) => {
          clearTimeout(timer);
          rl.close();
          const v = a.trim().toLowerCase();
          resolve(v === "y" || v === "yes" ? "allow-once" : v === "a" || v === "always" ? "allow-always" : "deny");
        });
      });
    const p = chain.then(ask, ask);
    chain = p;
    return p;
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

export async function runNodeHost(opts: NodeHostOptions): Promise<void> {
  if (!/^wss?:\/\//.test(opts.url)) throw new UserError(`--url must be a ws:// or wss:// gateway URL, got "${opts.url}".`, EXIT.usage);
  const env = opts.env ?? process.env;
  // Every line goes through escapeForDisplay: much of what is printed comes from the gateway
  // (error messages, close reasons, notifications), and a terminal escape in it could repaint
  // the system.run prompt the person at this machine answers.
  const write = opts.say ?? ((l: string) => process.stdout.write(`${l}\n`));
  const say = (l: string) => write(escapeForDisplay(l));
  const paths = statePaths(env);
  ensureDir(paths.dir, 0o700);
  let identity;
  try {
    identity = loadOrCreateIdentity(paths.dir);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const name = (opts.name ?? hostname()).slice(0, 64) || "node";
  const short = identity.deviceId.slice(0, 12);
  const maxBackoff = Math.max(250, opts.reconnectMaxMs ?? 30_000);
  const ask = terminalAsker(say);
  const deps = { stateDir: paths.dir, env, ask, log: say };
  say(`Node "${name}" (device ${identity.deviceId}) connecting to ${opts.url}`);

  let backoff = 1000;
  let waitingSaid = false;
  while (!opts.signal?.aborted) {
    const deviceToken = loadDeviceToken(paths.dir, opts.url, identity.deviceId);
    let client: GatewayClient;
    try {
      client = await GatewayClient.connect({
        url: opts.url,
        token: opts.token,
        password: opts.password,
        tlsFingerprint: opts.tlsFingerprint,
        role: "node",
        client: { name, version, platform: process.platform },
        deviceToken,
        commands: NODE_COMMAND_NAMES,
        signChallenge: (nonce, role) => signConnect(identity, { nonce, role }),
      });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      let wait = backoff;
      if (err.code === "PAIRING_REQUIRED") {
        if (!waitingSaid) say(`Waiting for approval: on the gateway run  simpleclaw devices approve ${short}`);
        waitingSaid = true;
      } else if (err.code === "UNAUTHORIZED" && deviceToken && /device/i.test(err.message)) {
        say(`The gateway refused this device's token (${err.message}); asking to pair again.`);
        dropDeviceToken(paths.dir, opts.url);
        wait = 0;
      } else if (err.code === "UNAUTHORIZED") {
        throw new UserError(`the gateway refused this node: ${err.message}`);
      } else if (err.code === "RATE_LIMITED") {
        wait = err.retryAfterMs ?? backoff;
        say(`Rate limited by the gateway; retrying in ${Math.ceil(wait / 1000)} s.`);
      } else {
        say(`Cannot connect (${err.message}); retrying in ${Math.ceil(wait / 1000)} s.`);
      }
      backoff = Math.min(backoff * 2, maxBackoff);
      await sleep(wait + Math.floor(Math.random() * 100), opts.signal);
      continue;
    }
    backoff = 1000;
    waitingSaid = false;
    const issued = client.hello.auth?.deviceToken;
    if (issued) {
      saveDeviceToken(paths.dir, opts.url, { deviceId: identity.deviceId, role: "node", deviceToken: issued });
      say("Approved: the gateway issued this device's token (saved in identity/device-auth.json, mode 600).");
    }
    say(`Connected to ${opts.url} as node "${name}"; offering ${NODE_COMMAND_NAMES.join(", ")}.`);
    const closed = new Promise<string>((resolve) => client.onClose((e) => resolve(e.message)));
    client.onEvent((event, payload) => {
      if (event !== "node.invoke.request") return;
      const req = payload as { id: string; command: string; params: unknown };
      void (async () => {
        let frame: Record<string, unknown>;
        try {
          const result = await runNodeCommand(req.command, req.params, deps);
          frame = { id: req.id, ok: true, payload: result };
        } catch (err) {
          const e = err instanceof CommandError ? err : new CommandError("INTERNAL", `${req.command} failed on the node: ${(err as Error).message}`);
          frame = { id: req.id, ok: false, error: { code: e.code, message: e.message } };
        }
        await client.call("node.invoke.result", frame).catch(() => {});
      })();
    });
    const onAbort = () => void client.close();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const why = await closed;
    opts.signal?.removeEventListener("abort", onAbort);
    if (opts.signal?.aborted) break;
    say(`Disconnected (${why}); reconnecting.`);
    await sleep(500 + Math.floor(Math.random() * 500), opts.signal);
  }
}
