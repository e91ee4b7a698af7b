// A local fake LLM API server that speaks the real wire formats, so the real AI SDK provider
// clients (@ai-sdk/openai, @ai-sdk/openai-compatible, @ai-sdk/anthropic) run unmodified against it.
//
//   POST /v1/chat/completions   OpenAI Chat Completions (JSON or SSE, incl. stream_options.include_usage)
//   POST /v1/responses          OpenAI Responses API (what `openai(model)` uses by default; JSON or SSE)
//   POST /v1/messages           Anthropic Messages (JSON or SSE with named events)
//   POST /v1/embeddings         OpenAI Embeddings (float or base64 vectors; see `embed` / `setEmbedder`)
//   GET  /v1/models             the model list (OpenAI `{object:"list",data}`, or Anthropic's shape
//                               when the request carries `anthropic-version`); see `models`
//
// The `/v1` prefix is optional. Replies come from a FIFO queue of scripted turns (`script(...)`);
// when it is empty the default turn is used (echo mode: `echo: <last user message text>`).
//
//   const fake = await startFakeModelServer({ apiKey: "k" });
//   createOpenAI({ baseURL: fake.url, apiKey: "k" }).chat("gpt-4o-mini");
//   createAnthropic({ baseURL: fake.url, apiKey: "k" })("claude-sonnet-4-5");
//   fake.script({ toolCalls: [{ name: "add", input: { a: 1, b: 2 } }] }, (req) => ({ text: `got ${req.toolResults.at(-1)?.content}` }));
//   ...
//   await fake.close();
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Which wire protocol a request came through. */
export type FakeApi = "openai-chat" | "openai-responses" | "anthropic";

export interface RecordedToolResult {
  toolCallId: string;
  /** Resolved from the matching tool call earlier in the conversation (or from calls this fake issued). */
  toolName: string | undefined;
  /** The raw textual content the client sent (the AI SDK JSON-encodes json outputs). */
  content: string;
  /** `content` parsed as JSON when possible, else the string itself. */
  value: unknown;
  isError: boolean;
}

export interface RecordedRequest {
  /** 0-based arrival order (all APIs share one counter). */
  index: number;
  api: FakeApi;
  method: string;
  /** Request path as received, e.g. "/v1/chat/completions". */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined if the body was not valid JSON). */
  body: Json;
  model: string | undefined;
  stream: boolean;
  /** False when the API key check failed (the request got a 401 and consumed no turn). */
  authorized: boolean;
  /** Text of the last user message that contains text (tool-result-only messages are skipped). */
  lastUserText: string | undefined;
  /** System prompt text (joined), if any. */
  system: string | undefined;
  /** All tool results present in the request, in order. */
  toolResults: RecordedToolResult[];
  /** Names of the tools offered to the model. */
  toolNames: string[];
  /** HTTP status the fake answered with (set once the response starts). */
  status?: number;
  /** True once the whole response has been written. */
  completed: boolean;
  /** True when the connection closed before the response was complete (client abort, or a `dropConnection` turn). */
  aborted: boolean;
}

export interface ToolCallSpec {
  name: string;
  input: unknown;
  /** Tool call id; generated (call_N / toolu_N) when omitted. */
  id?: string;
}

export interface UsageSpec {
  inputTokens?: number;
  outputTokens?: number;
}

export interface TurnTiming {
  /** Wait this long before answering at all (before status/headers). */
  delayMs?: number;
  /** Wait this long between streamed chunks (the first chunk goes out immediately). */
  chunkDelayMs?: number;
  /** Streamed replies: send the status line and headers, then nothing until the client gives up. */
  silentAfterHeaders?: boolean;
}

export interface StreamFailure {
  /** After the content, emit the provider's in-stream error event and end the stream. */
  streamError?: { message: string; type?: string };
  /** After the content, destroy the socket without finishing the stream. */
  dropConnection?: boolean;
}

export interface TextTurn extends TurnTiming, StreamFailure {
  text: string;
  /** Explicit stream chunks (default: `text` split into ~3 pieces). */
  chunks?: string[];
  usage?: UsageSpec;
  /** "length" → finish_reason "length" / stop_reason "max_tokens" / status incomplete. */
  finishReason?: "stop" | "length";
}

export interface ToolCallsTurn extends TurnTiming, StreamFailure {
  toolCalls: ToolCallSpec[];
  /** Optional text emitted before the tool calls. */
  text?: string;
  usage?: UsageSpec;
}

export interface ErrorTurn extends TurnTiming {
  error: {
    status: number;
    message: string;
    /** Override the provider error `type` (default derived from status). */
    type?: string;
    /** OpenAI `code` field (default derived from status). */
    code?: string | null;
    /** Seconds for the `retry-after` header (429 default: 1; other statuses: none). */
    retryAfter?: number;
    /** Milliseconds for the `retry-after-ms` header (OpenAI sends it; the AI SDK prefers it). */
    retryAfterMs?: number;
  };
}

export type TurnSpec = TextTurn | ToolCallsTurn | ErrorTurn;
export type TurnFn = (req: RecordedRequest) => TurnSpec | Promise<TurnSpec>;
export type Turn = TurnSpec | TurnFn;

export interface FakeModelServerOptions {
  /** The only accepted API key (OpenAI: `Authorization: Bearer`, Anthropic: `x-api-key` or Bearer). Default "test-key". */
  apiKey?: string;
  /** Bind host (default 127.0.0.1). */
  host?: string;
  /** Vector for one input of POST /embeddings (default: `hashedEmbedding`, a 64-dim bag of words). */
  embed?: Embedder;
  /** Model ids GET /models lists (default ["fake-small", "fake-large"]). */
  models?: string[];
}

export type Embedder = (input: string) => number[];

export interface RecordedEmbeddingRequest {
  model: string | undefined;
  input: string[];
  authorized: boolean;
  /** HTTP status the fake answered with. */
  status: number;
}

export interface FakeModelServer {
  /** Base URL including `/v1`, e.g. http://127.0.0.1:PORT/v1 — pass as `baseURL` to any provider. */
  url: string;
  /** Origin without `/v1`, e.g. http://127.0.0.1:PORT */
  origin: string;
  port: number;
  apiKey: string;
  /** Every request received, in arrival order (live array). */
  requests: RecordedRequest[];
  /** Append turns to the reply queue (consumed one per authorized model request). */
  script(...turns: Turn[]): void;
  /** Turn used when the queue is empty; `null` restores echo mode. */
  setDefault(turn: Turn | null): void;
  /** Number of scripted turns not yet consumed. */
  pending(): number;
  /** Clears the queue, the recorded requests and the default turn. */
  reset(): void;
  /** Resolves once at least `count` requests have been recorded. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves once request `index` has completed or been aborted. */
  waitForSettled(index: number, timeoutMs?: number): Promise<RecordedRequest>;
  /** Every POST /embeddings received (kept apart from `requests`, which are model turns). */
  embeddingRequests: RecordedEmbeddingRequest[];
  /** Replace the embedding function; `null` restores `hashedEmbedding`. An embedder that throws answers HTTP 500. */
  setEmbedder(fn: Embedder | null): void;
  close(): Promise<void>;
}

/** Deterministic bag-of-words vector: each lowercase word adds 1 to a hashed dimension (64 dims). */
export const hashedEmbedding: Embedder = (input) => {
  const v = new Array<number>(64).fill(0);
  for (const w of input.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % 64]! += 1;
  }
  return v;
};

/** Echo mode: `echo: <last user message text>`. */
export const echoTurn: TurnFn = (req) => ({ text: `echo: ${req.lastUserText ?? ""}` });

// ---------------------------------------------------------------------------------------------

const DEFAULT_KEY = "test-key";

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const apiKey = options.apiKey ?? DEFAULT_KEY;
  const host = options.host ?? "127.0.0.1";
  const requests: RecordedRequest[] = [];
  const embeddingRequests: RecordedEmbeddingRequest[] = [];
  let embedder: Embedder = options.embed ?? hashedEmbedding;

  /** GET /models: OpenAI's list, or Anthropic's when the client sends anthropic-version; 401 without the key. */
  function handleModels(req: http.IncomingMessage, res: http.ServerResponse): void {
    const anthropic = req.headers["anthropic-version"] !== undefined;
    const api: FakeApi = anthropic ? "anthropic" : "openai-chat";
    if (!checkAuth(api, req.headers, apiKey)) {
      sendJson(res, 401, anthropic ? anthropicErrorBody(401, "invalid x-api-key", "authentication_error") : openaiErrorBody(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"), {});
      return;
    }
    const ids = options.models ?? ["fake-small", "fake-large"];
    const body = anthropic
      ? { data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-01-01T00:00:00Z" })), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null }
      : { object: "list", data: ids.map((id) => ({ id, object: "model", created: 1767225600, owned_by: "fake" })) };
    sendJson(res, 200, body, {});
  }

  /** OpenAI POST /embeddings: `input` is a string or an array of strings; answers floats or base64 Float32. */
  function handleEmbeddings(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const headers = baseHeaders("openai-chat", nextId());
    let body: Json;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const input: string[] = typeof body?.input === "string" ? [body.input] : Array.isArray(body?.input) ? body.input.map(String) : [];
    const rec: RecordedEmbeddingRequest = { model: body?.model, input, authorized: checkAuth("openai-chat", req.headers, apiKey), status: 200 };
    embeddingRequests.push(rec);
    if (!rec.authorized) {
      rec.status = 401;
      return sendJson(res, 401, openaiErrorBody(401, "Incorrect API key provided.", undefined, "invalid_api_key"), headers);
    }
    if (!body || input.length === 0) {
      rec.status = 400;
      return sendJson(res, 400, openaiErrorBody(400, "'input' is required and must be a string or an array of strings."), headers);
    }
    let vectors: number[][];
    try {
      vectors = input.map((t) => embedder(t));
    } catch (err) {
      rec.status = 500;
      return sendJson(res, 500, openaiErrorBody(500, String((err as Error)?.message ?? err)), headers);
    }
    const encode = (v: number[]) => (body.encoding_format === "base64" ? Buffer.from(Float32Array.from(v).buffer).toString("base64") : v);
    const tokens = input.reduce((n, t) => n + estimateTokens(t), 0);
    sendJson(
      res,
      200,
      {
        object: "list",
        data: vectors.map((v, index) => ({ object: "embedding", index, embedding: encode(v) })),
        model: body.model ?? "fake-embedding",
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
      headers,
    );
  }
  const queue: Turn[] = [];
  let defaultTurn: Turn = echoTurn;
  let idCounter = 0;
  const nextId = () => (++idCounter).toString().padStart(4, "0") + randomBytes(4).toString("hex");
  /** Tool call id → name for calls this fake issued (used for Responses item_reference inputs). */
  const issuedToolCalls = new Map<string, string>();
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of [...watchers]) w();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String((err as Error)?.message ?? err), type: "server_error" } }));
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = path.replace(/^\/v1(?=\/)/, "");
    if (req.method === "POST" && route === "/embeddings") return handleEmbeddings(req, res, raw);
    if (req.method === "GET" && route === "/models") return handleModels(req, res);
    let api: FakeApi | undefined;
    if (req.method === "POST" && route === "/chat/completions") api = "openai-chat";
    else if (req.method === "POST" && route === "/responses") api = "openai-responses";
    else if (req.method === "POST" && route === "/messages") api = "anthropic";

    if (!api) {
      const isAnthropic = req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined;
      const body = isAnthropic
        ? anthropicErrorBody(404, `Not found: ${req.method} ${path}`)
        : openaiErrorBody(404, `Invalid URL (${req.method} ${path})`);
      sendJson(res, 404, body, {});
      return;
    }

    let body: Json;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }

    const rec: RecordedRequest = {
      index: requests.length,
      api,
      method: req.method ?? "POST",
      path,
      headers: req.headers,
      body,
      model: typeof body?.model === "string" ? body.model : undefined,
      stream: body?.stream === true,
      authorized: checkAuth(api, req.headers, apiKey),
      lastUserText: undefined,
      system: undefined,
      toolResults: [],
      toolNames: [],
      completed: false,
      aborted: false,
    };
    try {
      Object.assign(rec, summarize(api, body, issuedToolCalls));
    } catch {
      // leave the defaults for malformed bodies
    }
    requests.push(rec);
    res.on("close", () => {
      if (!rec.completed) rec.aborted = true;
      notify();
    });
    notify();

    const headers = baseHeaders(api, nextId());

    if (!rec.authorized) {
      rec.status = 401;
      const supplied = api === "anthropic" ? req.headers["x-api-key"] : req.headers.authorization;
      const msg =
        api === "anthropic"
          ? "invalid x-api-key"
          : supplied
            ? `Incorrect API key provided: ${maskKey(String(supplied).replace(/^Bearer\s+/i, ""))}. You can find your API key at https://platform.openai.com/account/api-keys.`
            : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      const errBody =
        api === "anthropic"
          ? anthropicErrorBody(401, msg, undefined, String(headers["request-id"]))
          : openaiErrorBody(401, msg, undefined, supplied ? "invalid_api_key" : null);
      rec.completed = true;
      sendJson(res, 401, errBody, headers);
      return;
    }

    if (body === undefined || typeof body !== "object") {
      rec.status = 400;
      rec.completed = true;
      const msg = "We could not parse the JSON body of your request.";
      sendJson(res, 400, api === "anthropic" ? anthropicErrorBody(400, msg) : openaiErrorBody(400, msg), headers);
      return;
    }

    const next = queue.length ? queue.shift()! : defaultTurn;
    const turn: TurnSpec = typeof next === "function" ? await next(rec) : next;
    const closed = closedSignal(res);

    if (turn.delayMs) await sleep(turn.delayMs, closed);
    if (closed.aborted) return;

    if ("error" in turn) {
      const { status, message, type, code, retryAfter, retryAfterMs } = turn.error;
      const h = { ...headers };
      const ra = retryAfter ?? (status === 429 && retryAfterMs === undefined ? 1 : undefined);
      if (ra !== undefined) h["retry-after"] = String(ra);
      if (retryAfterMs !== undefined) h["retry-after-ms"] = String(retryAfterMs);
      rec.status = status;
      rec.completed = true;
      const errBody =
        api === "anthropic"
          ? anthropicErrorBody(status, message, type, String(headers["request-id"]))
          : openaiErrorBody(status, message, type, code);
      sendJson(res, status, errBody, h);
      return;
    }

    const reply = normalizeReply(turn, rec, nextId);
    for (const tc of reply.toolCalls) issuedToolCalls.set(tc.id, tc.name);

    rec.status = 200;
    if (!rec.stream) {
      const json =
        api === "openai-chat"
          ? openaiChatJson(reply)
          : api === "openai-responses"
            ? responsesJson(reply, body)
            : anthropicJson(reply);
      rec.completed = true;
      sendJson(res, 200, json, headers);
      return;
    }

    const events =
      api === "openai-chat"
        ? openaiChatEvents(reply, body)
        : api === "openai-responses"
          ? responsesEvents(reply, body)
          : anthropicEvents(reply);

    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    res.flushHeaders();
    if (turn.silentAfterHeaders) {
      await sleep(2 ** 31 - 1, closed);
      return;
    }
    let first = true;
    let lastWrite: Promise<void> = Promise.resolve();
    for (const ev of events) {
      if (ev.kind === "content" && !first && reply.chunkDelayMs) {
        await sleep(reply.chunkDelayMs, closed);
      }
      if (closed.aborted) return;
      if (ev.kind === "drop") {
        // let what was written reach the client first, then cut the connection mid-stream
        await lastWrite;
        await sleep(20, closed);
        res.destroy();
        return;
      }
      if (ev.kind === "content") first = false;
      lastWrite = new Promise<void>((resolve) => res.write(ev.data, () => resolve()));
    }
    rec.completed = true;
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${port}`;

  function waitUntil<T>(pred: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v !== undefined) {
          watchers.delete(check);
          clearTimeout(timer);
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`fake model server: timed out waiting for ${what} (have ${requests.length} requests)`));
      }, timeoutMs);
      if (!check()) watchers.add(check);
    });
  }

  return {
    url: `${origin}/v1`,
    origin,
    port,
    apiKey,
    requests,
    script: (...turns) => {
      queue.push(...turns);
    },
    setDefault: (turn) => {
      defaultTurn = turn ?? echoTurn;
    },
    pending: () => queue.length,
    embeddingRequests,
    setEmbedder: (fn) => {
      embedder = fn ?? hashedEmbedding;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      defaultTurn = echoTurn;
    },
    waitForRequests: (count, timeoutMs = 5000) =>
      waitUntil(() => (requests.length >= count ? requests.slice() : undefined), timeoutMs, `${count} requests`),
    waitForSettled: (index, timeoutMs = 5000) =>
      waitUntil(
        () => {
          const r = requests[index];
          return r && (r.completed || r.aborted) ? r : undefined;
        },
        timeoutMs,
        `request #${index} to settle`,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// helpers: http

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text).toString(),
  });
  res.end(text);
}

function baseHeaders(api: FakeApi, id: string): Record<string, string> {
  return api === "anthropic"
    ? { "request-id": `req_${id}`, "anthropic-organization-id": "fake-org" }
    : { "x-request-id": `req_${id}`, "openai-processing-ms": "1", "openai-version": "2020-10-01" };
}

function checkAuth(api: FakeApi, headers: http.IncomingHttpHeaders, key: string): boolean {
  const bearer = typeof headers.authorization === "string" ? headers.authorization.replace(/^Bearer\s+/i, "") : undefined;
  if (api === "anthropic") {
    const x = headers["x-api-key"];
    return x === key || (x === undefined && bearer === key);
  }
  return bearer === key;
}

function maskKey(k: string): string {
  return k.length <= 8 ? "*".repeat(k.length) : `${k.slice(0, 3)}${"*".repeat(Math.max(0, k.length - 7))}${k.slice(-4)}`;
}

interface ClosedSignal {
  readonly aborted: boolean;
  onAbort(fn: () => void): void;
}

function closedSignal(res: http.ServerResponse): ClosedSignal {
  let aborted = false;
  const fns: Array<() => void> = [];
  res.on("close", () => {
    if (!res.writableFinished) {
      aborted = true;
      for (const f of fns) f();
    }
  });
  return {
    get aborted() {
      return aborted;
    },
    onAbort: (fn) => fns.push(fn),
  };
}

function sleep(ms: number, signal: ClosedSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.onAbort(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// helpers: error bodies (real provider shapes)

function openaiErrorBody(status: number, message: string, type?: string, code?: string | null): Json {
  const defaults: Record<number, [string, string | null]> = {
    400: ["invalid_request_error", null],
    401: ["invalid_request_error", "invalid_api_key"],
    403: ["invalid_request_error", "unsupported_country_region_territory"],
    404: ["invalid_request_error", "model_not_found"],
    429: ["requests", "rate_limit_exceeded"],
    500: ["server_error", null],
    503: ["server_error", null],
  };
  const [dType, dCode] = defaults[status] ?? (status >= 500 ? ["server_error", null] : ["invalid_request_error", null]);
  return { error: { message, type: type ?? dType, param: null, code: code === undefined ? dCode : code } };
}

function anthropicErrorBody(status: number, message: string, type?: string, requestId?: string): Json {
  const defaults: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
    529: "overloaded_error",
  };
  const body: Json = {
    type: "error",
    error: { type: type ?? defaults[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message },
  };
  if (requestId) body.request_id = requestId;
  return body;
}

// ---------------------------------------------------------------------------------------------
// helpers: request summaries

function textOf(content: Json): string | undefined {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const texts = content
      .filter((p: Json) => p && (p.type === "text" || p.type === "input_text" || p.type === "output_text") && typeof p.text === "string")
      .map((p: Json) => p.text as string);
    return texts.length ? texts.join("") : undefined;
  }
  return undefined;
}

function parseMaybeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function summarize(
  api: FakeApi,
  body: Json,
  issued: Map<string, string>,
): Pick<RecordedRequest, "lastUserText" | "system" | "toolResults" | "toolNames"> {
  const out: Pick<RecordedRequest, "lastUserText" | "system" | "toolResults" | "toolNames"> = {
    lastUserText: undefined,
    system: undefined,
    toolResults: [],
    toolNames: [],
  };
  if (!body || typeof body !== "object") return out;
  const names = new Map<string, string>(issued);
  const systems: string[] = [];

  if (api === "openai-chat") {
    for (const m of (body.messages ?? []) as Json[]) {
      if (m.role === "system" || m.role === "developer") {
        const t = textOf(m.content);
        if (t !== undefined) systems.push(t);
      } else if (m.role === "user") {
        const t = textOf(m.content);
        if (t !== undefined) out.lastUserText = t;
      } else if (m.role === "assistant") {
        for (const tc of (m.tool_calls ?? []) as Json[]) if (tc?.id) names.set(tc.id, tc.function?.name);
      } else if (m.role === "tool") {
        const content = textOf(m.content) ?? "";
        out.toolResults.push({
          toolCallId: m.tool_call_id,
          toolName: names.get(m.tool_call_id),
          content,
          value: parseMaybeJson(content),
          isError: false,
        });
      }
    }
    out.toolNames = ((body.tools ?? []) as Json[]).map((t) => t?.function?.name).filter(Boolean);
  } else if (api === "openai-responses") {
    if (typeof body.instructions === "string") systems.push(body.instructions);
    const input: Json[] = typeof body.input === "string" ? [{ role: "user", content: body.input }] : (body.input ?? []);
    for (const item of input) {
      if (item.type === "function_call" && item.call_id) names.set(item.call_id, item.name);
      else if (item.type === "function_call_output") {
        const content = typeof item.output === "string" ? item.output : (textOf(item.output) ?? JSON.stringify(item.output));
        out.toolResults.push({
          toolCallId: item.call_id,
          toolName: names.get(item.call_id),
          content,
          value: parseMaybeJson(content),
          isError: false,
        });
      } else if (item.role === "system" || item.role === "developer") {
        const t = textOf(item.content);
        if (t !== undefined) systems.push(t);
      } else if (item.role === "user") {
        const t = textOf(item.content);
        if (t !== undefined) out.lastUserText = t;
      }
    }
    out.toolNames = ((body.tools ?? []) as Json[]).filter((t) => t?.type === "function").map((t) => t.name);
  } else {
    if (typeof body.system === "string") systems.push(body.system);
    else if (Array.isArray(body.system)) {
      const t = textOf(body.system);
      if (t !== undefined) systems.push(t);
    }
    for (const m of (body.messages ?? []) as Json[]) {
      if (m.role === "assistant" && Array.isArray(m.content)) {
        for (const b of m.content as Json[]) if (b?.type === "tool_use") names.set(b.id, b.name);
      } else if (m.role === "user") {
        const t = textOf(m.content);
        if (t !== undefined) out.lastUserText = t;
        if (Array.isArray(m.content)) {
          for (const b of m.content as Json[]) {
            if (b?.type !== "tool_result") continue;
            const content = typeof b.content === "string" ? b.content : (textOf(b.content) ?? "");
            out.toolResults.push({
              toolCallId: b.tool_use_id,
              toolName: names.get(b.tool_use_id),
              content,
              value: parseMaybeJson(content),
              isError: b.is_error === true,
            });
          }
        }
      }
    }
    out.toolNames = ((body.tools ?? []) as Json[]).map((t) => t?.name).filter(Boolean);
  }
  out.system = systems.length ? systems.join("\n") : undefined;
  return out;
}

// ---------------------------------------------------------------------------------------------
// helpers: reply building

interface Reply {
  id: string;
  model: string;
  created: number;
  text: string | undefined;
  chunks: string[];
  toolCalls: Array<{ id: string; name: string; args: string }>;
  inputTokens: number;
  outputTokens: number;
  truncated: boolean;
  chunkDelayMs: number;
  streamError?: { message: string; type?: string };
  dropConnection: boolean;
}

function splitText(text: string): string[] {
  if (text.length <= 1) return [text];
  const parts = text.match(/\S+\s*|\s+/g) ?? [text];
  const n = Math.min(3, parts.length);
  const per = Math.ceil(parts.length / n);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += per) out.push(parts.slice(i, i + per).join(""));
  return out;
}

function splitArgs(args: string): string[] {
  if (args.length < 4) return [args];
  const mid = Math.floor(args.length / 2);
  return [args.slice(0, mid), args.slice(mid)];
}

function estimateTokens(s: string): number {
  return Math.max(1, Math.ceil(s.length / 4));
}

function normalizeReply(turn: TextTurn | ToolCallsTurn, rec: RecordedRequest, nextId: () => string): Reply {
  const text = turn.text;
  const chunks = "chunks" in turn && turn.chunks?.length ? turn.chunks : text !== undefined && text.length > 0 ? splitText(text) : [];
  const prefix = rec.api === "anthropic" ? "toolu_" : "call_";
  const toolCalls =
    "toolCalls" in turn
      ? turn.toolCalls.map((tc) => ({ id: tc.id ?? `${prefix}${nextId()}`, name: tc.name, args: JSON.stringify(tc.input ?? {}) }))
      : [];
  const promptSize = JSON.stringify(rec.body?.messages ?? rec.body?.input ?? "").length + JSON.stringify(rec.body?.system ?? rec.body?.instructions ?? "").length;
  const outText = (text ?? "") + toolCalls.map((t) => t.name + t.args).join("");
  return {
    id: nextId(),
    model: rec.model ?? "fake-model",
    created: Math.floor(Date.now() / 1000),
    text,
    chunks,
    toolCalls,
    inputTokens: turn.usage?.inputTokens ?? Math.max(1, Math.ceil(promptSize / 4)),
    outputTokens: turn.usage?.outputTokens ?? estimateTokens(outText),
    truncated: "finishReason" in turn && turn.finishReason === "length",
    chunkDelayMs: turn.chunkDelayMs ?? 0,
    streamError: turn.streamError,
    dropConnection: turn.dropConnection === true,
  };
}

type StreamEvent = { kind: "meta" | "content" | "drop"; data: string };

const sse = (obj: unknown, kind: StreamEvent["kind"] = "content"): StreamEvent => ({ kind, data: `data: ${JSON.stringify(obj)}\n\n` });
const namedSse = (event: string, obj: unknown, kind: StreamEvent["kind"] = "content"): StreamEvent => ({
  kind,
  data: `event: ${event}\ndata: ${JSON.stringify(obj)}\n\n`,
});

/** Content events, then either the failure (streamError / drop) or the finishing events. */
function withFailure(r: Reply, content: StreamEvent[], failure: () => StreamEvent[], finish: StreamEvent[]): StreamEvent[] {
  if (r.streamError) return [...content, ...failure()];
  if (r.dropConnection) return [...content, { kind: "drop", data: "" }];
  return [...content, ...finish];
}

// ---- OpenAI Chat Completions

function openaiChatUsage(r: Reply): Json {
  return {
    prompt_tokens: r.inputTokens,
    completion_tokens: r.outputTokens,
    total_tokens: r.inputTokens + r.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function openaiChatFinish(r: Reply): string {
  return r.toolCalls.length ? "tool_calls" : r.truncated ? "length" : "stop";
}

function openaiChatJson(r: Reply): Json {
  const message: Json = { role: "assistant", content: r.text ?? null, refusal: null, annotations: [] };
  if (r.toolCalls.length) {
    message.tool_calls = r.toolCalls.map((tc) => ({ id: tc.id, type: "function", function: { name: tc.name, arguments: tc.args } }));
  }
  return {
    id: `chatcmpl-${r.id}`,
    object: "chat.completion",
    created: r.created,
    model: r.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openaiChatFinish(r) }],
    usage: openaiChatUsage(r),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

function openaiChatEvents(r: Reply, body: Json): StreamEvent[] {
  const includeUsage = body?.stream_options?.include_usage === true;
  const base = { id: `chatcmpl-${r.id}`, object: "chat.completion.chunk", created: r.created, model: r.model, service_tier: "default", system_fingerprint: "fp_fake" };
  const chunk = (choice: Json, kind: StreamEvent["kind"] = "content"): StreamEvent =>
    sse({ ...base, choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }], ...(includeUsage ? { usage: null } : {}) }, kind);
  const content: StreamEvent[] = [];
  const hasText = r.chunks.length > 0;
  content.push(chunk({ delta: { role: "assistant", content: hasText || !r.toolCalls.length ? "" : null, refusal: null } }, "meta"));
  for (const c of r.chunks) content.push(chunk({ delta: { content: c } }));
  r.toolCalls.forEach((tc, index) => {
    content.push(chunk({ delta: { tool_calls: [{ index, id: tc.id, type: "function", function: { name: tc.name, arguments: "" } }] } }));
    for (const piece of splitArgs(tc.args)) content.push(chunk({ delta: { tool_calls: [{ index, function: { arguments: piece } }] } }));
  });
  const finish: StreamEvent[] = [chunk({ delta: {}, finish_reason: openaiChatFinish(r) }, "meta")];
  if (includeUsage) finish.push(sse({ ...base, choices: [], usage: openaiChatUsage(r) }, "meta"));
  finish.push({ kind: "meta", data: "data: [DONE]\n\n" });
  return withFailure(
    r,
    content,
    () => [sse({ error: { message: r.streamError!.message, type: r.streamError!.type ?? "server_error", param: null, code: null } }, "meta")],
    finish,
  );
}

// ---- OpenAI Responses

function responsesUsage(r: Reply): Json {
  return {
    input_tokens: r.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: r.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: r.inputTokens + r.outputTokens,
  };
}

function responsesOutputItems(r: Reply): { msgId: string; items: Json[] } {
  const msgId = `msg_${r.id}`;
  const items: Json[] = [];
  if (r.text !== undefined && r.text.length > 0) {
    items.push({
      id: msgId,
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", annotations: [], logprobs: [], text: r.text }],
    });
  }
  r.toolCalls.forEach((tc, i) => {
    items.push({ id: `fc_${r.id}_${i}`, type: "function_call", status: "completed", arguments: tc.args, call_id: tc.id, name: tc.name });
  });
  return { msgId, items };
}

function responsesObject(r: Reply, body: Json, status: string, output: Json[], usage: Json): Json {
  return {
    id: `resp_${r.id}`,
    object: "response",
    created_at: r.created,
    status,
    background: false,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body?.instructions ?? null,
    max_output_tokens: body?.max_output_tokens ?? null,
    model: r.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: body?.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body?.store ?? true,
    temperature: body?.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: body?.tools ?? [],
    top_p: body?.top_p ?? 1,
    truncation: "disabled",
    usage,
    user: null,
    metadata: {},
  };
}

function responsesJson(r: Reply, body: Json): Json {
  const { items } = responsesOutputItems(r);
  return responsesObject(r, body, r.truncated ? "incomplete" : "completed", items, responsesUsage(r));
}

function responsesEvents(r: Reply, body: Json): StreamEvent[] {
  let seq = 0;
  const ev = (type: string, payload: Json, kind: StreamEvent["kind"] = "content") => namedSse(type, { type, sequence_number: seq++, ...payload }, kind);
  const inProgress = responsesObject(r, body, "in_progress", [], null);
  const content: StreamEvent[] = [ev("response.created", { response: inProgress }, "meta"), ev("response.in_progress", { response: inProgress }, "meta")];
  const { msgId, items } = responsesOutputItems(r);
  let outputIndex = 0;
  if (r.text !== undefined && r.text.length > 0) {
    const oi = outputIndex++;
    content.push(
      ev("response.output_item.added", { output_index: oi, item: { id: msgId, type: "message", status: "in_progress", role: "assistant", content: [] } }, "meta"),
      ev("response.content_part.added", { item_id: msgId, output_index: oi, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } }, "meta"),
    );
    for (const c of r.chunks) content.push(ev("response.output_text.delta", { item_id: msgId, output_index: oi, content_index: 0, delta: c, logprobs: [] }));
    content.push(
      ev("response.output_text.done", { item_id: msgId, output_index: oi, content_index: 0, text: r.text, logprobs: [] }, "meta"),
      ev("response.content_part.done", { item_id: msgId, output_index: oi, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: r.text } }, "meta"),
      ev("response.output_item.done", { output_index: oi, item: items[0] }, "meta"),
    );
  }
  for (const item of items.filter((i) => i.type === "function_call")) {
    const oi = outputIndex++;
    content.push(ev("response.output_item.added", { output_index: oi, item: { ...item, status: "in_progress", arguments: "" } }));
    for (const piece of splitArgs(item.arguments)) content.push(ev("response.function_call_arguments.delta", { item_id: item.id, output_index: oi, delta: piece }));
    content.push(
      ev("response.function_call_arguments.done", { item_id: item.id, output_index: oi, arguments: item.arguments }, "meta"),
      ev("response.output_item.done", { output_index: oi, item }, "meta"),
    );
  }
  const status = r.truncated ? "incomplete" : "completed";
  const finish = [ev(r.truncated ? "response.incomplete" : "response.completed", { response: responsesObject(r, body, status, items, responsesUsage(r)) }, "meta")];
  return withFailure(
    r,
    content,
    () => [ev("error", { code: r.streamError!.type ?? "server_error", message: r.streamError!.message, param: null }, "meta")],
    finish,
  );
}

// ---- Anthropic Messages

function anthropicStop(r: Reply): string {
  return r.toolCalls.length ? "tool_use" : r.truncated ? "max_tokens" : "end_turn";
}

function anthropicJson(r: Reply): Json {
  const content: Json[] = [];
  if (r.text !== undefined && r.text.length > 0) content.push({ type: "text", text: r.text });
  for (const tc of r.toolCalls) content.push({ type: "tool_use", id: tc.id, name: tc.name, input: JSON.parse(tc.args) });
  return {
    id: `msg_${r.id}`,
    type: "message",
    role: "assistant",
    model: r.model,
    content,
    stop_reason: anthropicStop(r),
    stop_sequence: null,
    usage: {
      input_tokens: r.inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: r.outputTokens,
      service_tier: "standard",
    },
  };
}

function anthropicEvents(r: Reply): StreamEvent[] {
  const content: StreamEvent[] = [
    namedSse(
      "message_start",
      {
        type: "message_start",
        message: {
          id: `msg_${r.id}`,
          type: "message",
          role: "assistant",
          model: r.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: r.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: "standard" },
        },
      },
      "meta",
    ),
  ];
  let index = 0;
  if (r.chunks.length) {
    const i = index++;
    content.push(namedSse("content_block_start", { type: "content_block_start", index: i, content_block: { type: "text", text: "" } }, "meta"));
    content.push(namedSse("ping", { type: "ping" }, "meta"));
    for (const c of r.chunks) content.push(namedSse("content_block_delta", { type: "content_block_delta", index: i, delta: { type: "text_delta", text: c } }));
    content.push(namedSse("content_block_stop", { type: "content_block_stop", index: i }, "meta"));
  }
  for (const tc of r.toolCalls) {
    const i = index++;
    content.push(namedSse("content_block_start", { type: "content_block_start", index: i, content_block: { type: "tool_use", id: tc.id, name: tc.name, input: {} } }));
    content.push(namedSse("content_block_delta", { type: "content_block_delta", index: i, delta: { type: "input_json_delta", partial_json: "" } }, "meta"));
    for (const piece of splitArgs(tc.args)) {
      content.push(namedSse("content_block_delta", { type: "content_block_delta", index: i, delta: { type: "input_json_delta", partial_json: piece } }));
    }
    content.push(namedSse("content_block_stop", { type: "content_block_stop", index: i }, "meta"));
  }
  const finish = [
    namedSse(
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: anthropicStop(r), stop_sequence: null },
        usage: { input_tokens: r.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: r.outputTokens },
      },
      "meta",
    ),
    namedSse("message_stop", { type: "message_stop" }, "meta"),
  ];
  return withFailure(
    r,
    content,
    () => [namedSse("error", { type: "error", error: { type: r.streamError!.type ?? "overloaded_error", message: r.streamError!.message } }, "meta")],
    finish,
  );
}
