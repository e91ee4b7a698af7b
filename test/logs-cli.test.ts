// `simpleclaw logs` as a user runs it: the real gateway's log, a record carrying secrets
// (a log written with redaction off), and -f printing lines as they are written.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, childEnv, cleanupAll, onCleanup, randomToken, REPO_ROOT, runCli, spawnGateway, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

describe("simpleclaw logs", () => {
  it("prints the running gateway's log as readable lines", async () => {
    const state = tempStateDir({ gateway: { auth: { token: randomToken() } } });
    const gw = await spawnGateway(state.env);
    await gw.waitFor(/gateway listening/);
    const r = await runCli(["logs"], state.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?Z? info  gateway listening {2}url=ws:\/\/127\.0\.0\.1:\d+\/ws auth=token tls=false$/m);
  });

  it("never prints the gateway token or an API key, even from an unredacted log", async () => {
    const token = randomToken();
    const state = tempStateDir({ gateway: { auth: { token } } });
    mkdirSync(join(state.dir, "logs"));
    const file = join(state.dir, "logs", "gateway-2026-01-02.log");
    writeFileSync(file, `${JSON.stringify({ time: "2026-01-02T03:04:05.000Z", level: "warn", msg: `token was ${token}`, key: "sk-abcdefghijklmnopqrstuvwx" })}\n`);
    const r = await runCli(["logs"], state.env);
    expect(r.stdout).toBe("2026-01-02 03:04:05Z warn  token was [redacted]  key=[redacted]\n");

    // -f: lines written later appear as they come.
    const child = spawn(process.execPath, [BIN, "logs", "-f", "-n", "0"], { cwd: REPO_ROOT, env: childEnv(state.env), stdio: ["ignore", "pipe", "pipe"] });
    onCleanup(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(file, `${JSON.stringify({ time: "2026-01-02T03:04:06.000Z", level: "info", msg: "later line" })}\n`);
    const end = Date.now() + 10_000;
    while (!out.includes("later line") && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(out).toBe("2026-01-02 03:04:06Z info  later line\n");
  });

  it("no log yet is one sentence and exit 1", async () => {
    const state = tempStateDir({});
    const r = await runCli(["logs"], state.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no gateway log in .*logs yet; start the gateway/);
  });
});
