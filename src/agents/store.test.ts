import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStateDb } from "../infra/db.js";
import { SessionStore } from "./store.js";

const dirs: string[] = [];
function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), "sc-store-"));
  dirs.push(dir);
  return join(dir, "state.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("SessionStore", () => {
  it("persists a transcript across reopen, in order, with usage", () => {
    const path = tempDb();
    const db = openStateDb(path);
    const store = new SessionStore(db);
    store.ensure("agent:main:main", "main");
    store.append("agent:main:main", "r1", [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "text", text: "hello" }] },
    ], { inputTokens: 10, outputTokens: 3, model: "openai/x" });
    db.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const again = new SessionStore(openStateDb(path));
    expect(again.history("agent:main:main")).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "text", text: "hello" }] },
    ]);
    const s = again.get("agent:main:main")!;
    expect(s).toMatchObject({ inputTokens: 10, outputTokens: 3, lastModel: "openai/x", messageCount: 2 });
  });

  it("reset archives the old transcript and starts an empty one", () => {
    const store = new SessionStore(openStateDb(tempDb()));
    store.ensure("agent:main:main", "main");
    store.append("agent:main:main", "r1", [{ role: "user", content: "old" }]);
    const archived = store.reset("agent:main:main");
    expect(archived).toBeTruthy();
    expect(store.history("agent:main:main")).toEqual([]);
    expect(store.archivedTranscripts("agent:main:main").map((t) => t.id)).toEqual([archived]);
  });

  it("entries(limit) returns the newest messages, oldest first", () => {
    const store = new SessionStore(openStateDb(tempDb()));
    store.ensure("k", "main");
    store.append("k", "r", [1, 2, 3, 4].map((n) => ({ role: "user" as const, content: `m${n}` })));
    expect(store.entries("k", 2).map((e) => e.message.content)).toEqual(["m3", "m4"]);
  });

  it("a failed append leaves nothing half-written", () => {
    const store = new SessionStore(openStateDb(tempDb()));
    store.ensure("k", "main");
    const bad = { role: "user", content: "x", toJSON() { throw new Error("boom"); } } as never;
    expect(() => store.append("k", "r", [{ role: "user", content: "first" }, bad])).toThrow("boom");
    expect(store.history("k")).toEqual([]);
  });

  it("attack: tail() reads only the newest messages within the bound, whatever the transcript's size, and counts the older ones (control: a short transcript comes back whole)", () => {
    const db = openStateDb(tempDb());
    const store = new SessionStore(db);
    store.ensure("k", "main");
    store.append("k", "r0", [{ role: "user", content: "short" }, { role: "assistant", content: "reply" }]);
    expect(store.tail("k", 300_000)).toEqual({ messages: [{ role: "user", content: "short" }, { role: "assistant", content: "reply" }], older: 0 });
    for (let i = 1; i <= 60; i++) store.append("k", `r${i}`, [{ role: "user", content: `${i} ${"x".repeat(99_000)}` }]);
    const t = store.tail("k", 300_000);
    expect(t.messages.map((m) => String(m.content).split(" ")[0])).toEqual(["58", "59", "60"]);
    expect(t.older).toBe(62 - 3);
    expect(store.tail("nope", 300_000)).toEqual({ messages: [], older: 0 });
    db.close();
  });
});
