import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStateDb, type Db } from "../infra/db.js";
import { ChatQueueStore, IDEMPOTENCY_TTL_MS } from "./queue.js";

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.isOpen) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(now: () => number): { path: string; store: ChatQueueStore } {
  const dir = mkdtempSync(join(tmpdir(), "sc-queue-"));
  dirs.push(dir);
  const path = join(dir, "state.db");
  const db = openStateDb(path);
  dbs.push(db);
  return { path, store: new ChatQueueStore(db, now) };
}

describe("durable chat queue", () => {
  it("keeps accepted messages and idempotency keys across a reopen, oldest first", () => {
    let t = 1_000;
    const { path, store } = open(() => t);
    const origin = { kind: "operator" as const };
    store.accept({ runId: "r1", sessionKey: "agent:main:main", agentId: "main", text: "one", origin }, "k1", { runId: "r1", sessionKey: "agent:main:main", status: "started" });
    store.accept({ runId: "r2", sessionKey: "agent:main:main", agentId: "main", text: "two", origin }, "k2", { runId: "r2", sessionKey: "agent:main:main", status: "queued" });
    store.started("r1");
    dbs[0]!.close();
    const db = openStateDb(path);
    dbs.push(db);
    const again = new ChatQueueStore(db, () => t);
    expect(again.pending().map((m) => [m.runId, m.state, m.text])).toEqual([["r1", "running", "one"], ["r2", "queued", "two"]]);
    expect(again.lookup("k2")).toEqual({ runId: "r2", sessionKey: "agent:main:main", status: "queued" });
    again.finished("r1");
    expect(again.pending().map((m) => m.runId)).toEqual(["r2"]);
  });

  it("forgets an idempotency key after 24 hours", () => {
    let t = 5_000;
    const { store } = open(() => t);
    store.accept(undefined, "k", { runId: "r", sessionKey: "s", status: "done" });
    t += IDEMPOTENCY_TTL_MS - 1;
    expect(store.lookup("k")).toBeDefined();
    t += 1;
    expect(store.lookup("k")).toBeUndefined();
  });
});
