// What the agent tools see of the memory index (tools/memory.ts ← memory/service.ts).
// Kept free of implementation imports so tools/types.ts can name it cheaply.

export interface MemoryHit {
  /** Relative to the workspace for workspace files, absolute for extraPaths outside it. */
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
  /** The note's date when its path carries one (memory/2026-11-20.md). */
  date?: string;
}

export interface MemorySearchResult {
  hits: MemoryHit[];
  mode: "keyword" | "hybrid";
  /** Why the search fell back to keyword-only, when it did. */
  note?: string;
}

export interface MemorySearchOptions {
  maxResults: number;
  /** Leave out extraPaths files outside the workspace (sandboxed sessions). */
  workspaceOnly?: boolean;
  signal?: AbortSignal;
}

export interface MemoryAccess {
  search(agentId: string, query: string, opts: MemorySearchOptions): Promise<MemorySearchResult>;
}
