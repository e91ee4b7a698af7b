// Channel secrets: credentials/<channel>.json (600) written by `simpleclaw channels add`,
// or the environment (TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN, SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN, SLACK_SIGNING_SECRET). Environment beats the file; a token in
// simpleclaw.json still works but the audit flags it.
import { existsSync, mkdirSync, chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../config/paths.js";
import { readStateFile, writeFileAtomic } from "../infra/atomic-fs.js";
import { errorMessage } from "../infra/errors.js";
import type { ChannelId } from "./types.js";

export interface ChannelSecrets {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
}


const ENV: Record<ChannelId, Partial<Record<keyof ChannelSecrets, string>>> = {
  telegram: { botToken: "TELEGRAM_BOT_TOKEN" },
  discord: { botToken: "DISCORD_BOT_TOKEN" },
  slack: { botToken: "SLACK_BOT_TOKEN", appToken: "SLACK_APP_TOKEN", signingSecret: "SLACK_SIGNING_SECRET" },
};

export function credentialsFile(credentialsDir: string, channel: ChannelId): string {
  return join(credentialsDir, `${channel}.json`);
}

export function readChannelSecrets(credentialsDir: string, channel: ChannelId, env: Env, fromConfig: ChannelSecrets = {}): ChannelSecrets {
  let file: ChannelSecrets = {};
  const path = credentialsFile(credentialsDir, channel);
  let text: string | undefined;
  try {
    text = readStateFile(path);
  } catch (err) {
    throw new Error(`cannot read ${path} (${errorMessage(err)}); check that you own it and its folder.`);
  }
  if (text !== undefined) {
    try {
      file = JSON.parse(text) as ChannelSecrets;
    } catch {
      throw new Error(`${path} is not valid JSON; fix it or run simpleclaw channels add ${channel} again.`);
    }
  }
  const out: ChannelSecrets = {};
  for (const key of ["botToken", "appToken", "signingSecret"] as const) {
    const envName = ENV[channel][key];
    const v = (envName ? env[envName] : undefined) || file[key] || fromConfig[key];
    if (typeof v === "string" && v) out[key] = v;
  }
  return out;
}

export function writeChannelSecrets(credentialsDir: string, channel: ChannelId, secrets: ChannelSecrets): string {
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  chmodSync(credentialsDir, 0o700);
  const path = credentialsFile(credentialsDir, channel);
  writeFileAtomic(path, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  return path;
}

export function removeChannelSecrets(credentialsDir: string, channel: ChannelId): boolean {
  const path = credentialsFile(credentialsDir, channel);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
