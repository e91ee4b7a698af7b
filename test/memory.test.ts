// Memory end to end: real files, real SQLite (FTS5), the real AI SDK embedding clients
// against the fake model server's /embeddings, the real agent loop calling memory_search,
// and a real gateway whose chokidar watcher re-indexes edits. memory_get is attacked
// with every way out of the memory files we could think of.
import { spawn } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { configSchema, type Config } from "../src/config/schema.js";
import { startGateway } from "../src/gateway/start.js";
import { openStateDb } from "../src/infra/db.js";
import { ftsQuery } from "../src/memory/query.js";
import { MemoryService } from "../src/memory/service.js";
import { MemoryStore } from "../src/memory/store.js";
import { memoryGetTool, memorySearchTool } from "../src/tools/memory.js";
import { toolDecision } from "../src/security/tool-policy.js";
import { type ToolContext } from "../src/tools/types.js";
import { ToolError } from "../src/infra/errors.js";
import { startFakeModelServer, type FakeModelServer } from "./fakes/model-server.js";
import { chatClient } from "./helpers/chat.js";
import { cleanupAll, onCleanup, randomToken, runCli, sleep, tempStateDir } from "./helpers/gateway.js";

afterEach(cleanupAll);

const NOW = new Date("2026-11-21T09:00:00Z");

function tempDir(prefix = "sc-mem-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** A MemoryService over a fresh state dir whose default agent works in `workspace`. */
function service(workspace: string, memory: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const state = tempDir("sc-mem-state-");
  const config = configSchema.parse({ agents: { defaults: { workspace } }, memory });
  const db = openStateDb(join(state, "state.db"));
  const svc = new MemoryService({ config, env: { SIMPLECLAW_STATE_DIR: state, ...env }, db, now: () => NOW });
  onCleanup(async () => {
    await svc.close();
    db.close();
  });
  return { svc, config, state };
}

const paths = (r: { hits: Array<{ path: string }> }) => r.hits.map((h) => h.path);

const CORPUS: Record<string, string> = {
  "MEMORY.md": "# Memory\n\n- The owner is Dana; she prefers to be called Dee.\n- Allergic to peanuts and cashews.\n- Home wifi network is otter-den.\n",
  "memory/people.md": "# People\n\n## Alice\nAlice Romero is Dana's sister. She lives in Porto; her birthday is March 3.\n\n## Bob\nBob is the landlord; call him about the boiler.\n",
  "memory/2026-11-20.md": "# Standup 2026-11-20\n\nWe agreed to migrate the billing database to Postgres 17 next sprint.\n",
  "memory/2025-06-01.md": "# Notes 2025-06-01\n\nEvaluated Postgres 14 for the billing database; the migration was postponed.\n",
  "memory/projects/garden.md": "# Garden\n\nPlant tomatoes in April. The raised bed needs compost.\n",
  "notes/not-memory.md": "tomatoes decoyword: this file is in the workspace but not a memory file\n",
  "memory/.hidden.md": "decoyword in a dot file\n",
  "memory/data.txt": "decoyword in a non-markdown file\n",
};

describe("memory index and search", () => {
  it("finds the expected top hits in a corpus of notes", async () => {
    const ws = tempDir();
    for (const [rel, text] of Object.entries(CORPUS)) write(ws, rel, text);
    const { svc } = service(ws);
    const s = async (q: string) => svc.search("main", q, { maxResults: 5 });

    expect(paths(await s("allergic peanuts"))[0]).toBe("MEMORY.md");
    expect(paths(await s("when is Alice's birthday?"))[0]).toBe("memory/people.md");
    expect(paths(await s("landlord boiler"))[0]).toBe("memory/people.md");
    // Both notes match; the recent one ranks first, the old one is still found.
    expect(paths(await s("billing database postgres"))).toEqual(["memory/2026-11-20.md", "memory/2025-06-01.md"]);
    expect(paths(await s("tomatoes"))).toEqual(["memory/projects/garden.md"]);
    // Files that are not memory are never indexed.
    expect((await s("decoyword")).hits).toEqual([]);
    // The hit carries the line range and the exact text of those lines.
    const hit = (await s("otter-den wifi")).hits[0]!;
    expect(hit).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 5 });
    expect(hit.snippet).toContain("Home wifi network is otter-den.");
    // A date in the file name can be searched for too (the path is indexed with a low weight).
    expect(paths(await s("2025-06-01"))[0]).toBe("memory/2025-06-01.md");
    // FTS5 syntax in the query is just text.
    for (const q of ['"', 'Alice" OR "', "NEAR(Alice Bob)", "*", "Alice*", "path:MEMORY", "(((", "-Bob", "^Alice", "a'b;--"]) {
      await expect(s(q)).resolves.toBeTruthy();
    }
  });

  it("re-indexes only changed files; an edit replaces old content; a deleted file is gone", async () => {
    const ws = tempDir();
    for (const [rel, text] of Object.entries(CORPUS)) write(ws, rel, text);
    const { svc } = service(ws);
    const first = await svc.sync("main");
    expect(first).toMatchObject({ files: 5, changed: 5, removed: 0 });
    const again = await svc.sync("main");
    expect(again).toMatchObject({ files: 5, changed: 0, removed: 0, chunks: 0 });

    write(ws, "memory/projects/garden.md", "# Garden\n\nPlant cucumbers in May. The raised bed needs compost.\n");
    const edited = await svc.sync("main");
    expect(edited).toMatchObject({ changed: 1, removed: 0 });
    expect(paths(await svc.search("main", "cucumbers", { maxResults: 5 }))).toEqual(["memory/projects/garden.md"]);
    expect((await svc.search("main", "tomatoes", { maxResults: 5 })).hits).toEqual([]);

    // Same size, same second: still noticed (the content hash decides, not just mtime/size).
    write(ws, "memory/projects/garden.md", "# Garden\n\nPlant zucchini in May. The raised bed needs compost.\n");
    write(ws, "memory/projects/garden.md", "# Garden\n\nPlant pumpkin in May.. The raised bed needs compost.\n");
    await svc.sync("main");
    expect(paths(await svc.search("main", "pumpkin", { maxResults: 5 }))).toEqual(["memory/projects/garden.md"]);

    unlinkSync(join(ws, "memory/people.md"));
    const deleted = await svc.sync("main");
    expect(deleted).toMatchObject({ files: 4, changed: 0, removed: 1 });
    expect((await svc.search("main", "Alice birthday landlord", { maxResults: 5 })).hits).toEqual([]);
    expect(svc.store.stats("main")).toMatchObject({ files: 4 });

    // --force re-chunks everything, and the result is the same.
    const forced = await svc.sync("main", { force: true });
    expect(forced).toMatchObject({ files: 4, changed: 4, removed: 0 });
    expect(paths(await svc.search("main", "pumpkin", { maxResults: 5 }))).toEqual(["memory/projects/garden.md"]);
  });

  it("indexes extraPaths (files and folders) and names them by absolute path", async () => {
    const ws = tempDir();
    const extra = tempDir("sc-mem-extra-");
    write(ws, "MEMORY.md", "# Memory\n");
    write(extra, "vault/recipes.md", "# Recipes\nGrandma's lasagne uses bechamel.\n");
    write(extra, "single.md", "A single extra file about kayaks.\n");
    write(extra, "vault/skip.txt", "lasagne in a text file\n");
    const { svc } = service(ws, { extraPaths: [join(extra, "vault"), join(extra, "single.md")] });
    expect(paths(await svc.search("main", "lasagne", { maxResults: 5 }))).toEqual([join(extra, "vault/recipes.md")]);
    expect(paths(await svc.search("main", "kayaks", { maxResults: 5 }))).toEqual([join(extra, "single.md")]);
    // Sandboxed sessions see workspace memory only.
    expect((await svc.search("main", "lasagne", { maxResults: 5, workspaceOnly: true })).hits).toEqual([]);
  });

  it("indexes a 10,000-note corpus and answers a query", async () => {
    const ws = tempDir();
    const topics = ["garden", "budget", "travel", "health", "music", "cooking", "reading", "fitness", "work", "family"];
    for (const t of topics) mkdirSync(join(ws, "memory", t), { recursive: true });
    for (let i = 0; i < 10_000; i++) {
      const day = `2026-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
      const t = topics[i % topics.length]!;
      writeFileSync(join(ws, `memory/${t}/${day}-note-${i}.md`), `# Note ${i} about ${t}\n\nToday I thought about ${t} again, entry number ${i}.\nMarker token${i}x.\n`);
    }
    const { svc } = service(ws);
    const r = await svc.sync("main");
    expect(r).toMatchObject({ files: 10_000, changed: 10_000 });
    expect(svc.store.stats("main").files).toBe(10_000);
    const hit = await svc.search("main", "token7777x", { maxResults: 3 });
    expect(hit.hits[0]?.path).toBe("memory/fitness/2026-02-22-note-7777.md");
    const broad = await svc.search("main", "thought about cooking", { maxResults: 10 });
    expect(broad.hits).toHaveLength(10);
    expect(broad.hits.every((h) => h.path.startsWith("memory/cooking/"))).toBe(true);
    // An incremental pass over an unchanged 10k corpus re-chunks nothing.
    expect(await svc.sync("main")).toMatchObject({ changed: 0, removed: 0, chunks: 0 });
  }, 120_000);
});

describe("memory embeddings (fake /embeddings endpoint)", () => {
  /** Words of one concept share a dimension, so vectors know what keywords do not. */
  const CONCEPTS: string[][] = [
    ["cat", "cats", "feline", "kitten", "purring"],
    ["dog", "dogs", "canine", "puppy"],
    ["car", "vehicle", "automobile", "sedan"],
  ];
  function conceptEmbedding(text: string): number[] {
    const v = new Array<number>(CONCEPTS.length + 1).fill(0);
    for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const i = CONCEPTS.findIndex((c) => c.includes(w));
      v[i === -1 ? CONCEPTS.length : i]! += i === -1 ? 0.05 : 1;
    }
    return v;
  }

  async function fake(): Promise<FakeModelServer> {
    const f = await startFakeModelServer({ apiKey: "sk-embed-test-0123456789", embed: conceptEmbedding });
    onCleanup(() => f.close());
    return f;
  }

  it("hybrid search finds a note by meaning, caches vectors by content hash, and re-embeds only changed chunks", async () => {
    const f = await fake();
    const ws = tempDir();
    write(ws, "memory/pets.md", "# Pets\nMochi is a kitten who loves purring on the sofa.\n");
    write(ws, "memory/garage.md", "# Garage\nThe sedan needs new tyres before winter.\n");
    write(ws, "memory/copy.md", "# Pets\nMochi is a kitten who loves purring on the sofa.\n"); // same text, same hash
    const { svc } = service(ws, { embeddings: { provider: "openai-compatible", baseUrl: f.url, model: "fake-embed", apiKey: f.apiKey } });

    const r = await svc.search("main", "feline", { maxResults: 3 });
    expect(r.mode).toBe("hybrid");
    expect(r.hits[0]!.path).toMatch(/^memory\/(pets|copy)\.md$/);
    expect(paths(r)).not.toContain("memory/garage.md");
    expect(paths(await svc.search("main", "automobile", { maxResults: 1 }))).toEqual(["memory/garage.md"]);
    // Two distinct chunk texts were embedded (the copy reused its twin's vector), plus the queries.
    const indexed = f.embeddingRequests.flatMap((q) => q.input).filter((t) => t.startsWith("#"));
    expect(indexed.sort()).toEqual(["# Garage\nThe sedan needs new tyres before winter.", "# Pets\nMochi is a kitten who loves purring on the sofa."]);
    expect(f.embeddingRequests.every((q) => q.model === "fake-embed" && q.authorized)).toBe(true);

    const before = f.embeddingRequests.length;
    await svc.sync("main");
    expect(f.embeddingRequests.length).toBe(before); // nothing changed, nothing embedded

    write(ws, "memory/garage.md", "# Garage\nThe puppy sleeps in the garage now.\n");
    const res = await svc.sync("main");
    expect(res.embedded).toBe(1);
    expect(f.embeddingRequests.at(-1)!.input).toEqual(["# Garage\nThe puppy sleeps in the garage now."]);
    expect(paths(await svc.search("main", "canine", { maxResults: 1 }))).toEqual(["memory/garage.md"]);
  });

  it("the openai provider works against an OpenAI-style endpoint with the key from apiKeyEnv", async () => {
    const f = await fake();
    const ws = tempDir();
    write(ws, "MEMORY.md", "The owner's cat is called Pixel.\n");
    const { svc } = service(ws, { embeddings: { provider: "openai", baseUrl: f.url, apiKeyEnv: "MY_EMBED_KEY" } }, { MY_EMBED_KEY: f.apiKey });
    const r = await svc.search("main", "feline", { maxResults: 3 });
    expect(r).toMatchObject({ mode: "hybrid" });
    expect(paths(r)).toEqual(["MEMORY.md"]);
    expect(f.embeddingRequests[0]!.model).toBe("text-embedding-3-small");
  });

  it("falls back to keyword search, with a note, when the embedding endpoint fails", async () => {
    const f = await fake();
    const ws = tempDir();
    write(ws, "MEMORY.md", "The owner's cat is called Pixel.\n");
    const { svc } = service(ws, { embeddings: { provider: "openai-compatible", baseUrl: f.url, model: "m", apiKey: "wrong-key" } });
    const r = await svc.search("main", "Pixel", { maxResults: 3 });
    expect(r.mode).toBe("keyword");
    expect(paths(r)).toEqual(["MEMORY.md"]);
    expect(r.note).toMatch(/HTTP 401|refused the API key/);
    expect(r.note).not.toContain("wrong-key");
    expect(svc.store.stats("main").lastError).toMatch(/refused the API key/);
  });
});

// ---------------------------------------------------------------------------------------
// memory_get: attacks

describe("memory_get refuses everything that is not a memory file", () => {
  let root: string;
  let ws: string;
  let out: string;
  const SECRET = "TOP-SECRET-OUTSIDE-7f3a";

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "sc-mem-attack-"));
    ws = join(root, "ws");
    out = join(root, "outside");
    mkdirSync(join(ws, "memory", "sub"), { recursive: true });
    mkdirSync(join(out, "allowed"), { recursive: true });
    writeFileSync(join(out, "secret.md"), `${SECRET}\n`);
    writeFileSync(join(out, "secret2.md"), `${SECRET}\n`);
    writeFileSync(join(out, "allowed", "extra.md"), "an allowed extra note\n");
    writeFileSync(join(ws, "AGENTS.md"), `rules ${SECRET}\n`);
    writeFileSync(join(ws, "memory", "ok.md"), "line one\nline two\nline three\n");
    writeFileSync(join(ws, "memory", "sub", "deep.md"), "deep note\n");
    writeFileSync(join(ws, "memory", "notes.txt"), `${SECRET}\n`);
    symlinkSync("/etc/passwd", join(ws, "MEMORY.md")); // MEMORY.md itself is a link out
    symlinkSync(join(out, "secret.md"), join(ws, "memory", "escape.md"));
    symlinkSync(out, join(ws, "memory", "linkdir"));
    symlinkSync("../AGENTS.md", join(ws, "memory", "agents.md"));
    linkSync(join(out, "secret2.md"), join(ws, "memory", "hard.md"));
    mkdirSync(join(ws, "memory", "folder.md"));
    return () => rmSync(root, { recursive: true, force: true });
  });

  function ctx(config: Record<string, unknown> = {}, sandboxed = false): ToolContext {
    return {
      agentId: "main",
      sessionKey: "agent:main:main",
      workspace: ws,
      config: configSchema.parse(config) as Config,
      signal: new AbortController().signal,
      origin: { kind: "operator" },
      sandbox: { mode: sandboxed ? "all" : "off", required: sandboxed, backend: "auto", workspaceAccess: "rw", network: false },
      notify: () => {},
    };
  }

  async function refused(path: string, c = ctx()): Promise<string> {
    try {
      const text = await memoryGetTool.execute({ path }, c);
      throw new Error(`memory_get(${JSON.stringify(path)}) was allowed and returned: ${text.slice(0, 80)}`);
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toMatch(/root:.*:0:0/);
      return err.message;
    }
  }

  it("reads real memory files exactly, with line ranges", async () => {
    expect(await memoryGetTool.execute({ path: "memory/ok.md" }, ctx())).toBe("line one\nline two\nline three");
    expect(await memoryGetTool.execute({ path: "memory/ok.md", from: 2, lines: 1 }, ctx())).toBe("line two");
    expect(await memoryGetTool.execute({ path: "memory/ok.md", from: 9 }, ctx())).toMatch(/has 3 line\(s\); from 9 is past the end/);
    expect(await memoryGetTool.execute({ path: join(ws, "memory/sub/deep.md") }, ctx())).toBe("deep note");
    expect(await memoryGetTool.execute({ path: "memory/sub/../ok.md", lines: 1 }, ctx())).toBe("line one");
  });

  it("refuses .. escapes, absolute paths outside, and workspace files that are not memory", async () => {
    expect(await refused("../outside/secret.md")).toMatch(/not a memory file/);
    expect(await refused("memory/../../outside/secret.md")).toMatch(/not a memory file/);
    expect(await refused("memory/../AGENTS.md")).toMatch(/not a memory file/);
    expect(await refused("AGENTS.md")).toMatch(/not a memory file/);
    expect(await refused(join(out, "secret.md"))).toMatch(/not a memory file/);
    expect(await refused("/etc/passwd")).toMatch(/not a Markdown/);
    expect(await refused("/etc/../etc/passwd")).toMatch(/not a Markdown/);
    expect(await refused("memory/notes.txt")).toMatch(/not a Markdown/);
    expect(await refused("~/.ssh/id_rsa.md")).toMatch(/not a memory file/);
    expect(await refused("memory")).toMatch(/not a Markdown/);
    expect(await refused("memory/folder.md")).toMatch(/not a regular file/);
    expect(await refused("memory/missing.md")).toMatch(/does not exist/);
    expect(await refused("memory/ok.md\u0000.md")).toMatch(/NUL/);
    expect(await refused("memory\u2215..\u2215AGENTS.md")).toMatch(/looks like a path separator/);
  });

  it("refuses symbolic links: MEMORY.md → /etc/passwd, a note → outside, a linked folder, a link to AGENTS.md", async () => {
    expect(await refused("MEMORY.md")).toMatch(/symbolic link/);
    expect(await refused(join(ws, "MEMORY.md"))).toMatch(/symbolic link/);
    expect(await refused("memory/escape.md")).toMatch(/symbolic link/);
    expect(await refused("memory/linkdir/secret.md")).toMatch(/symbolic link/);
    expect(await refused("memory/agents.md")).toMatch(/symbolic link/);
  });

  it("refuses a hard link to a file outside", async () => {
    expect(await refused("memory/hard.md")).toMatch(/hard link/);
  });

  it("allows extraPaths files, but only inside them, and not in a sandboxed session", async () => {
    const c = ctx({ memory: { extraPaths: [join(out, "allowed")] } });
    expect(await memoryGetTool.execute({ path: join(out, "allowed", "extra.md") }, c)).toBe("an allowed extra note");
    expect(await refused(join(out, "allowed", "..", "secret.md"), c)).toMatch(/not a memory file/);
    expect(await refused(join(out, "secret.md"), c)).toMatch(/not a memory file/);
    const sandboxed = ctx({ memory: { extraPaths: [join(out, "allowed")] } }, true);
    expect(await refused(join(out, "allowed", "extra.md"), sandboxed)).toMatch(/not a memory file/);
    expect(await memoryGetTool.execute({ path: "memory/ok.md", lines: 1 }, sandboxed)).toBe("line one");
  });

  it("memory_get and memory_search refuse a session other than the owner's main session, in one sentence", async () => {
    const guest = { ...ctx({}, true), sessionKey: "agent:main:telegram:direct:12345" };
    await expect(memoryGetTool.execute({ path: "memory/ok.md" }, guest)).rejects.toThrow(/^memory_get is not available here: the memory tools read the owner's private notes .* this session is not the main session\.$/);
    await expect(memorySearchTool.execute({ query: "line" }, guest)).rejects.toThrow(/^memory_search is not available here: /);
  });

  it("never indexes linked or hard-linked files, so memory_search cannot leak them either", async () => {
    const state = mkdtempSync(join(tmpdir(), "sc-mem-attack-state-"));
    onCleanup(() => rmSync(state, { recursive: true, force: true }));
    const db = openStateDb(join(state, "state.db"));
    const svc = new MemoryService({ config: configSchema.parse({ agents: { defaults: { workspace: ws } } }), env: { SIMPLECLAW_STATE_DIR: state }, db });
    onCleanup(async () => {
      await svc.close();
      db.close();
    });
    const c = { ...ctx(), services: { stateDir: state, approvals: undefined as never, memory: svc } };
    const r = await svc.sync("main");
    expect(r.files).toBe(2); // memory/ok.md and memory/sub/deep.md only
    for (const q of [SECRET, "root", "rules", "bash"]) {
      const text = await memorySearchTool.execute({ query: q }, c);
      expect(text).toMatch(/^No memory matches/);
    }
    expect(await memorySearchTool.execute({ query: "deep note" }, c)).toContain("memory/sub/deep.md:1-1");
  });
});

describe("the indexer cannot be raced into reading files outside its memory folders", () => {
  const SECRET_WORD = "zebracorn-private-7731";

  /** A victim workspace (the main agent's) and an attacker workspace whose memory/sub holds same-named notes. */
  function setup(nFiles: number) {
    const victim = tempDir("sc-mem-victim-");
    write(victim, "MEMORY.md", `# Private\n\nThe vault phrase is ${SECRET_WORD}.\n`);
    const attacker = tempDir("sc-mem-attacker-");
    write(attacker, "memory/top.md", "# top\n\nan ordinary attacker note about gardening\n");
    for (let i = 0; i < nFiles; i++) {
      write(attacker, `memory/sub/n${i}.md`, `# note ${i}\n\nharmless note number ${i}\n`);
      write(victim, `n${i}.md`, `# stolen ${i}\n\n${SECRET_WORD} copy ${i}\n`);
    }
    write(attacker, "memory/sub/MEMORY.md", "# decoy\n\nthe attacker's own MEMORY.md\n");
    // The swap: memory/sub <-> a link to the victim's workspace, prepared beside it.
    symlinkSync(victim, join(attacker, "memory", "sub.link"));
    return { victim, attacker };
  }

  function swapIn(attacker: string) {
    renameSync(join(attacker, "memory", "sub"), join(attacker, "memory", "sub.real"));
    renameSync(join(attacker, "memory", "sub.link"), join(attacker, "memory", "sub"));
  }

  async function indexed(svc: MemoryService): Promise<string> {
    const r = await svc.searchIndex("main", SECRET_WORD, { maxResults: 20 });
    return JSON.stringify(r);
  }

  it("a folder swapped for a link after the walk: the read is refused (deterministic, via the read seam)", async () => {
    const { attacker } = setup(3);
    let swapped = false;
    const state = tempDir("sc-mem-state-");
    const db = openStateDb(join(state, "state.db"));
    const svc = new MemoryService({
      config: configSchema.parse({ agents: { defaults: { workspace: attacker } } }),
      env: { SIMPLECLAW_STATE_DIR: state },
      db,
      readHooks: {
        beforeOpenSync: (p) => {
          if (!swapped && p.includes("/memory/sub/")) {
            swapped = true;
            swapIn(attacker);
          }
        },
      },
    });
    onCleanup(async () => {
      await svc.close();
      db.close();
    });
    const r = await svc.sync("main", { force: true });
    expect(swapped).toBe(true);
    expect(await indexed(svc)).not.toContain(SECRET_WORD);
    expect(r.files).toBe(1); // only memory/top.md survived: every read through the link was refused
    expect(JSON.stringify(await svc.searchIndex("main", "gardening", { maxResults: 5 }))).toContain("memory/top.md");
  });

  it("a real racer swapping the folder thousands of times: no foreign content over many syncs; the normal notes are indexed", { timeout: 60_000 }, async () => {
    const { attacker } = setup(40);
    const { svc } = service(attacker);
    // Control first: without the racer, the attacker's own notes are indexed.
    const first = await svc.sync("main", { force: true });
    expect(first.files).toBe(42);
    expect(JSON.stringify(await svc.searchIndex("main", "harmless note number 7", { maxResults: 5 }))).toContain("memory/sub/n7.md");

    // The racer: another process flips memory/sub between the real folder and a link to the victim.
    const mem = join(attacker, "memory");
    const racer = spawn(
      process.execPath,
      [
        "-e",
        `const fs=require("fs"),p=require("path");const m=${JSON.stringify(mem)};
         const sub=p.join(m,"sub"),real=p.join(m,"sub.real"),link=p.join(m,"sub.link");
         for(;;){try{fs.renameSync(sub,real);fs.renameSync(link,sub);fs.renameSync(sub,link);fs.renameSync(real,sub);}catch{}}`,
      ],
      { stdio: "ignore" },
    );
    onCleanup(() => void racer.kill("SIGKILL"));
    let sawSwapWindow = 0;
    for (let i = 0; i < 150; i++) {
      const r = await svc.sync("main", { force: true });
      if (r.files < 42) sawSwapWindow++;
      const found = await indexed(svc);
      expect(found, `sync ${i} indexed foreign content`).not.toContain(SECRET_WORD);
    }
    racer.kill("SIGKILL");
    // The race really ran: some syncs met the swapped folder and dropped reads.
    expect(sawSwapWindow).toBeGreaterThan(0);
  });
});

describe("memory tools and policy", () => {
  it("memory.enabled false turns the memory group off", () => {
    const off = configSchema.parse({ memory: { enabled: false } });
    expect(toolDecision({ name: "memory_search", group: "memory" }, off)).toEqual({ allowed: false, rule: "memory.enabled is false (group:memory)" });
    expect(toolDecision({ name: "memory_get", group: "memory" }, configSchema.parse({}))).toEqual({ allowed: true });
    expect(toolDecision({ name: "memory_get", group: "memory" }, configSchema.parse({ tools: { deny: ["group:memory"] } })).allowed).toBe(false);
  });

  it("the memory tools are only for the owner's main session: a guest's DM session, a group or a job is not offered them (they were before)", () => {
    const c = configSchema.parse({});
    for (const key of ["agent:main:telegram:direct:12345", "agent:main:slack:group:g", "agent:main:cron:j", "agent:main:heartbeat"]) {
      const d = toolDecision({ name: "memory_search", group: "memory" }, c, undefined, key);
      expect(d, key).toEqual({ allowed: false, rule: expect.stringMatching(/only the owner's main session may read, and this session is not the main session/) });
    }
    expect(toolDecision({ name: "memory_get", group: "memory" }, c, undefined, "agent:main:main")).toEqual({ allowed: true });
    expect(toolDecision({ name: "read", group: "fs" }, c, undefined, "agent:main:telegram:direct:12345")).toEqual({ allowed: true });
  });

  it("rejects an openai-compatible embeddings config without baseUrl", () => {
    const r = configSchema.safeParse({ memory: { embeddings: { provider: "openai-compatible", model: "x" } } });
    expect(r.success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Through a real gateway

async function bootWithMemory(files: Record<string, string>, extra: Record<string, unknown> = {}) {
  const fake = await startFakeModelServer({ apiKey: "sk-fake-key-1234567890abcdef" });
  onCleanup(() => fake.close());
  const config = {
    gateway: { auth: { token: randomToken() } },
    agents: { defaults: { model: { primary: "fake/model-a", fallbacks: [] as string[] } } },
    models: { providers: { fake: { api: "openai-completions", baseUrl: fake.url, apiKey: fake.apiKey } } },
    ...extra,
  };
  const state = tempStateDir(config);
  const workspace = join(state.dir, "workspace");
  for (const [rel, text] of Object.entries(files)) write(workspace, rel, text);
  const gw = await startGateway({ env: state.env, port: 0, pretty: null, say: () => {} });
  onCleanup(() => gw.close());
  return { fake, gw, dir: state.dir, workspace, config };
}

/** A second connection to the gateway's state.db, as the CLI would open it. */
function indexReader(dir: string) {
  const db = openStateDb(join(dir, "state.db"));
  onCleanup(() => db.close());
  const store = new MemoryStore(db);
  return (q: string) => store.keyword("main", ftsQuery(q)!, 10).map((h) => h.path);
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

describe("memory in a running gateway", () => {
  it("the agent calls memory_search and memory_get through the real agent loop", async () => {
    const { fake, gw, config } = await bootWithMemory({
      "MEMORY.md": "# Memory\n- Dana's sister is Alice.\n",
      "memory/people.md": "# People\nAlice lives in Porto; her birthday is March 3.\n",
    });
    const chat = await chatClient(gw.url, config.gateway.auth.token);
    fake.script({ toolCalls: [{ name: "memory_search", input: { query: "Alice birthday", maxResults: 2 } }] }, (req) => ({
      text: `search said: ${req.toolResults.at(-1)?.content}`,
    }));
    const end = await chat.ask("when is Alice's birthday?");
    expect(fake.requests[0]!.toolNames).toEqual(expect.arrayContaining(["memory_search", "memory_get"]));
    expect(end.state).toBe("final");
    expect(end.text).toContain("memory/people.md:1-2");
    expect(end.text).toContain("her birthday is March 3");

    // A prompt-injected model tries to read a file outside memory with memory_get.
    fake.script({ toolCalls: [{ name: "memory_get", input: { path: "../simpleclaw.json" } }] }, (req) => ({ text: `get said: ${req.toolResults.at(-1)?.content}` }));
    const bad = await chat.ask("read the config");
    expect(bad.text).toMatch(/not a (memory file|Markdown)/);
    expect(bad.text).not.toContain(config.gateway.auth.token);
    fake.script({ toolCalls: [{ name: "memory_get", input: { path: "memory/people.md", from: 2 } }] }, (req) => ({ text: `get said: ${req.toolResults.at(-1)?.content}` }));
    expect((await chat.ask("read it")).text).toBe("get said: Alice lives in Porto; her birthday is March 3.");
  });

  it("a guest's DM session is not offered the memory tools, a call is refused, and its prompt has no MEMORY.md or USER.md; the main session's has (control)", async () => {
    const { fake, gw, config } = await bootWithMemory({ "MEMORY.md": "# Memory\n- door code 4711\n", "USER.md": "Owner lives at 1 Secret Lane\n" });
    const chat = await chatClient(gw.url, config.gateway.auth.token);
    const guest = "agent:main:telegram:direct:12345";
    fake.script({ toolCalls: [{ name: "memory_get", input: { path: "MEMORY.md" } }] }, (req) => ({ text: `get said: ${req.toolResults.at(-1)?.content}` }));
    const end = await chat.ask("what is the door code?", { sessionKey: guest });
    const req = fake.requests[0]!;
    expect(req.toolNames).not.toContain("memory_search");
    expect(req.toolNames).not.toContain("memory_get");
    expect(req.toolNames).toContain("read");
    expect(req.system).not.toMatch(/4711|Secret Lane/);
    expect(req.system).toContain("Operating rules"); // AGENTS.md stays
    expect(end.text).toMatch(/not (allowed|available) here: the memory tools read the owner's private notes/);
    expect(end.text).not.toContain("4711");

    fake.script({ text: "ok" });
    await chat.ask("hi");
    const owner = fake.requests.at(-1)!;
    expect(owner.system).toContain("4711");
    expect(owner.system).toContain("Secret Lane");
    expect(owner.toolNames).toEqual(expect.arrayContaining(["memory_search", "memory_get"]));
  });

  it("memory.enabled false: the model is not offered the memory tools", async () => {
    const { fake, gw, config } = await bootWithMemory({ "MEMORY.md": "x\n" }, { memory: { enabled: false } });
    const chat = await chatClient(gw.url, config.gateway.auth.token);
    await chat.ask("hi");
    expect(fake.requests[0]!.toolNames).not.toContain("memory_search");
    expect(fake.requests[0]!.toolNames).not.toContain("memory_get");
  });

  it("the watcher re-indexes an edit, a new note and a deletion within a few seconds", async () => {
    const { dir, workspace } = await bootWithMemory({ "MEMORY.md": "# Memory\nfirst version mentions aardvark\n" });
    const find = indexReader(dir);
    await waitFor(() => (find("aardvark").length ? true : undefined), 10_000, "the initial index");

    let t0 = Date.now();
    writeFileSync(join(workspace, "MEMORY.md"), "# Memory\nsecond version mentions bumblebee\n");
    await waitFor(() => (find("bumblebee").length ? true : undefined), 5_000, "the edit to be indexed");
    const editMs = Date.now() - t0;
    expect(find("aardvark")).toEqual([]);

    t0 = Date.now();
    write(workspace, "memory/trips/2026-11-21.md", "Booked the ferry to the capybara island.\n");
    await waitFor(() => (find("capybara").length ? true : undefined), 5_000, "the new note to be indexed");
    expect(find("capybara")).toEqual(["memory/trips/2026-11-21.md"]);
    const addMs = Date.now() - t0;

    t0 = Date.now();
    unlinkSync(join(workspace, "memory/trips/2026-11-21.md"));
    await waitFor(() => (find("capybara").length === 0 ? true : undefined), 5_000, "the deletion to be indexed");
    const delMs = Date.now() - t0;
    console.log(`memory watcher: edit ${editMs} ms, new note ${addMs} ms, deletion ${delMs} ms`);
    // The budget is ~2 s; allow slack for a loaded CI machine.
    expect(Math.max(editMs, addMs, delMs)).toBeLessThan(4_000);
    // Files outside MEMORY.md and memory/ do not count.
    writeFileSync(join(workspace, "scratch.md"), "dromedary\n");
    await sleep(800);
    expect(find("dromedary")).toEqual([]);
  }, 30_000);
});

describe("simpleclaw memory (CLI)", () => {
  it("index, search --json, status, and one-sentence errors", async () => {
    const state = tempStateDir({});
    write(join(state.dir, "workspace"), "MEMORY.md", "# Memory\nThe spare key is under the blue flowerpot.\n");
    const idx = await runCli(["memory", "index"], state.env);
    expect(idx.code).toBe(0);
    expect(idx.stdout).toMatch(/main: 1 file\(s\), 1 re-indexed/);
    const s = await runCli(["memory", "search", "spare key flowerpot", "--json", "--max", "3"], state.env);
    expect(s.code).toBe(0);
    const json = JSON.parse(s.stdout);
    expect(json.hits[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, endLine: 2 });
    const st = await runCli(["memory", "status", "--json"], state.env);
    expect(JSON.parse(st.stdout).agents[0]).toMatchObject({ agentId: "main", files: 1, chunks: 1 });
    const forced = await runCli(["memory", "index", "--force"], state.env);
    expect(forced.stdout).toMatch(/1 re-indexed/);

    const bad = await runCli(["memory", "search", "x", "--max", "abc"], state.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error: --max must be a whole number from 1 to 50, got "abc".');
    const noAgent = await runCli(["memory", "index", "--agent", "ghost"], state.env);
    expect(noAgent.code).toBe(2);
    expect(noAgent.stderr).toMatch(/^error: agent "ghost" is not in agents.list/);
    expect(noAgent.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(state.dir, "workspace", "MEMORY.md"), "utf8")).toContain("flowerpot");
  }, 60_000);
});
