import { describe, expect, it } from "vitest";
import { REDACTED, Redactor, isSecretKey, secretPathsOfJsonSchema } from "./redact.js";

const TG = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const OPENAI = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";
const ANTHROPIC = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx0123456789-_x";
const SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

describe("Redactor.text: known secrets", () => {
  it("masks a known secret wherever it appears", () => {
    const r = new Redactor(["hunter2-gateway-token"]);
    expect(r.text("token=hunter2-gateway-token&x=1")).toBe(`token=${REDACTED}&x=1`);
    expect(r.text("a hunter2-gateway-token b hunter2-gateway-token")).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(r.text("prefixhunter2-gateway-tokensuffix")).toBe(`prefix${REDACTED}suffix`);
  });

  it("masks the longer secret first when one contains another", () => {
    const r = new Redactor(["abcd", "abcdefgh-long-secret"]);
    const out = r.text("x abcdefgh-long-secret y");
    expect(out).toBe(`x ${REDACTED} y`);
    expect(out).not.toContain("efgh");
  });

  it("masks secrets with regex metacharacters literally", () => {
    const r = new Redactor(["p4$$.w0rd*(+)?"]);
    expect(r.text("pw=p4$$.w0rd*(+)? done")).toBe(`pw=${REDACTED} done`);
    expect(r.text("pw=p4$$Xw0rd done")).toBe("pw=p4$$Xw0rd done");
  });

  it("ignores undefined, empty and very short values (they would mask ordinary text)", () => {
    const r = new Redactor([undefined, "", "ab", "abc"]);
    expect(r.text("abc ab a")).toBe("abc ab a");
  });

  it("add() extends the set, without duplicates", () => {
    const r = new Redactor();
    r.add(["late-secret-1"]);
    r.add(["late-secret-1", undefined]);
    expect(r.text("late-secret-1")).toBe(REDACTED);
  });
});

describe("Redactor.text: secret shapes", () => {
  const r = new Redactor();

  it("masks Bearer and Basic credentials but keeps the scheme", () => {
    expect(r.text("Authorization: Bearer abc.def-ghi_jkl")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r.text("authorization: bearer eyJhbGciOiJIUzI1NiJ9.e30.sig")).toBe(`authorization: bearer ${REDACTED}`);
    expect(r.text("Authorization: Basic dXNlcjpwYXNz")).toBe(`Authorization: Basic ${REDACTED}`);
    expect(r.text('{"headers":"Bearer abcdef123456"}')).toBe(`{"headers":"Bearer ${REDACTED}"}`);
  });

  it("masks OpenAI and Anthropic keys inside larger strings", () => {
    expect(r.text(`key=${OPENAI};`)).toBe(`key=${REDACTED};`);
    expect(r.text(`401 from api: invalid x-api-key ${ANTHROPIC} (check it)`)).toBe(`401 from api: invalid x-api-key ${REDACTED} (check it)`);
    expect(r.text("sk-abcdefghijklmnopqrstuvwxyz")).toBe(REDACTED);
  });

  it("masks Telegram bot tokens, including inside Bot API URLs", () => {
    expect(r.text(`token ${TG} end`)).toBe(`token ${REDACTED} end`);
    expect(r.text(`GET https://api.telegram.org/bot${TG}/getUpdates failed`)).toBe(
      `GET https://api.telegram.org/bot${REDACTED}/getUpdates failed`,
    );
    const trailingDash = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa-";
    expect(r.text(`t=${trailingDash} x`)).toBe(`t=${REDACTED} x`);
  });

  it("masks Slack bot, user and app tokens", () => {
    expect(r.text(`slack ${SLACK}!`)).toBe(`slack ${REDACTED}!`);
    expect(r.text("xoxp-1234567890-abcdef")).toBe(REDACTED);
    expect(r.text("app xapp-1-A0123456789-abcdef")).toBe(`app ${REDACTED}`);
  });

  it("masks several different secrets in one string", () => {
    const out = r.text(`a=${OPENAI} b=${TG} c=${SLACK} Bearer zzzzzzzz`);
    for (const s of [OPENAI, TG, SLACK, "zzzzzzzz"]) expect(out).not.toContain(s);
  });

  it("leaves ordinary text untouched", () => {
    for (const s of [
      "gateway listening on ws://127.0.0.1:18789/ws",
      "task-1234 done in 12:34:56",
      "the token was rejected",
      "sk-short",
      "xoxb-short",
      "Bearer",
      "a normal sentence with skills and boxes",
      "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "",
    ]) {
      expect(r.text(s), s).toBe(s);
    }
  });
});

describe("secret values by shape", () => {
  const r = new Redactor();
  it("masks tokens and keys of well-known services, JWTs, PEM private keys and webhook URLs", () => {
    const cases: Array<[string, string]> = [
      ["ghp_" + "a".repeat(36), "ghp_"],
      ["github_pat_" + "B".repeat(50), "github_pat_"],
      ["AKIA" + "ABCDEFGHIJKLMNOP", "AKIA"],
      ["AIza" + "x".repeat(35), "AIza"],
      ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl", "eyJ"],
      ["MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GaBcDe.abcdefghijklmnopqrstuvwxyz0123", "MTAx"],
      ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----", "b3Bl"],
      ["https://discord.com/api/webhooks/123456/abcDEF-token", "abcDEF"],
      ["https://hooks.slack.com/services/T000/B000/XXXXsecret", "XXXXsecret"],
    ];
    for (const [secret, leak] of cases) {
      const out = r.text(`value: ${secret} end`);
      expect(out, secret).toContain(REDACTED);
      expect(out, secret).not.toContain(leak);
      expect(out.endsWith(" end"), secret).toBe(true);
    }
    expect(r.text("https://discord.com/api/webhooks/123456/abcDEF-token")).toBe(`https://discord.com/api/webhooks/${REDACTED}`);
  });
  it("leaves ordinary text alone", () => {
    for (const s of ["AKIA is a prefix", "eyJ alone", "a git sha 3f2a9c1e0b7d4f8a9c1e0b7d4f8a9c1e0b7d4f8a", "https://discord.com/channels/1/2"]) {
      expect(r.text(s), s).toBe(s);
    }
  });
});

describe("isSecretKey", () => {
  it("recognises secret-named keys case-insensitively", () => {
    for (const k of ["token", "Token", "password", "apiKey", "api_key", "APIKEY", "secret", "botToken", "appToken", "signingSecret", "authorization", "Authorization", "privateKey", "deviceToken", "clientSecret", "X-Api-Key", "x-goog-api-key", "Proxy-Authorization", "Set-Cookie", "AWS_SECRET_ACCESS_KEY", "secretAccessKey", "OPENAI_API_KEY", "passphrase", "sentryDsn", "webhookUrl", "Private-Token", "X-Auth-Token", "refresh_token", "signingKey"]) {
      expect(isSecretKey(k), k).toBe(true);
    }
  });
  it("does not flag ordinary keys", () => {
    for (const k of ["tokens", "maxTokens", "tokenCount", "mode", "port", "passwordMode", "url", "name", "secretary", "key", "keyboard", "tokenizer", "baseUrl", "publicKey", "hotkey", "monkey"]) {
      expect(isSecretKey(k), k).toBe(false);
    }
  });
});

describe("Redactor.value", () => {
  const r = new Redactor(["known-secret-value"]);

  it("masks secret-named keys at any depth and scrubs every string", () => {
    const input = {
      gateway: { auth: { mode: "token", token: "abc", password: "pw", rateLimit: { maxAttempts: 10 } } },
      channels: { telegram: { botToken: TG, allowFrom: ["123"] }, slack: { appToken: "x", signingSecret: "y" } },
      models: { providers: { local: { apiKey: "k", baseUrl: "http://127.0.0.1:11434/v1" } } },
      headers: { Authorization: "Bearer abcdefgh" },
      note: "uses known-secret-value and " + OPENAI,
      list: [{ deviceToken: "dt" }, "known-secret-value", 42, true, null],
    };
    const out = r.value(input);
    expect(out.gateway.auth).toEqual({ mode: "token", token: REDACTED, password: REDACTED, rateLimit: { maxAttempts: 10 } });
    expect(out.channels.telegram).toEqual({ botToken: REDACTED, allowFrom: ["123"] });
    expect(out.channels.slack).toEqual({ appToken: REDACTED, signingSecret: REDACTED });
    expect(out.models.providers.local).toEqual({ apiKey: REDACTED, baseUrl: "http://127.0.0.1:11434/v1" });
    expect(out.headers.Authorization).toBe(REDACTED);
    expect(out.note).toBe(`uses ${REDACTED} and ${REDACTED}`);
    expect(out.list).toEqual([{ deviceToken: REDACTED }, REDACTED, 42, true, null]);
    const json = JSON.stringify(out);
    for (const s of ["abc", "\"pw\"", TG, "known-secret-value", OPENAI, "abcdefgh"]) expect(json).not.toContain(s);
  });

  it("does not modify its input", () => {
    const input = { token: "abc", nested: { note: "known-secret-value" } };
    r.value(input);
    expect(input).toEqual({ token: "abc", nested: { note: "known-secret-value" } });
  });

  it("keeps unset secret keys visibly unset (undefined, null, empty)", () => {
    expect(r.value({ token: undefined, password: null, apiKey: "" })).toEqual({ token: undefined, password: null, apiKey: "" });
  });

  it("masks non-string values under secret keys too", () => {
    expect(r.value({ token: 123456, secret: { nested: "x" }, password: ["a"] })).toEqual({ token: REDACTED, secret: REDACTED, password: REDACTED });
  });

  it("turns errors into name and scrubbed message", () => {
    const out = r.value({ err: new Error(`bad key ${OPENAI}`) }) as unknown as { err: { name: string; message: string } };
    expect(out.err).toEqual({ name: "Error", message: `bad key ${REDACTED}` });
  });

  it("survives cycles and absurd depth without throwing", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(() => r.value(a)).not.toThrow();
    let deep: Record<string, unknown> = { token: "abc" };
    for (let i = 0; i < 100; i++) deep = { child: deep };
    expect(JSON.stringify(r.value(deep))).not.toContain("abc");
  });

  it("leaves non-secret values and primitives untouched", () => {
    expect(r.value({ port: 18789, bind: "loopback", enabled: false, list: ["a"] })).toEqual({ port: 18789, bind: "loopback", enabled: false, list: ["a"] });
    expect(r.value(7)).toBe(7);
    expect(r.value(null)).toBeNull();
  });
});

describe("Redactor: secrets by rule (URLs, query parameters, key names, plugin schemas)", () => {
  const r = new Redactor();

  it("masks URL userinfo and secret query values in any string", () => {
    expect(r.text("ws://admin:hunter2pass@127.0.0.1:9222/devtools")).toBe(`ws://${REDACTED}@127.0.0.1:9222/devtools`);
    expect(r.text("https://tok_abcdef@api.example.com/v1")).toBe(`https://${REDACTED}@api.example.com/v1`);
    expect(r.text("https://api.example.com/v1?api-key=abc123secret&model=x")).toBe(`https://api.example.com/v1?api-key=${REDACTED}&model=x`);
    expect(r.text("http://h/x?access_token=zzz9&sig=qqq")).toBe(`http://h/x?access_token=${REDACTED}&sig=${REDACTED}`);
    // control: ordinary URLs and parameters stay readable
    expect(r.text("https://api.example.com/v1?model=gpt&limit=5")).toBe("https://api.example.com/v1?model=gpt&limit=5");
    expect(r.text("mail me at a@b.example")).toBe("mail me at a@b.example");
  });

  it("attack: URL credentials in the spellings the URL parser accepts are masked whole", () => {
    // A raw "@" in the password: the parser splits at the LAST "@"; cutting at the first leaked the rest.
    expect(r.text("model call to https://bob:p@ss@w0rd@api.example.com/v1 failed")).toBe(`model call to https://${REDACTED}@api.example.com/v1 failed`);
    expect(new URL("https://bob:p@ss@w0rd@api.example.com/v1").password).toBe("p%40ss%40w0rd");
    // Backslashes, one slash or none after a special scheme: the parser reads all as "https://u:p@h".
    for (const url of ["https:\\\\u:s3cretpw@h.example/", "https:/u:s3cretpw@h.example/", "https:u:s3cretpw@h.example/", "HTTPS:\\/u:s3cretpw@h.example/"]) {
      expect(new URL(url).password, url).toBe("s3cretpw");
      expect(r.text(`baseUrl ${url}`), url).not.toContain("s3cretpw");
    }
    // A tab inside a URL is dropped by the parser (config.get shows such a value as one string).
    expect(new URL("https://u:s3c\tretpw@h.example/").password).toBe("s3cretpw");
    expect(r.value({ baseUrl: "https://u:s3c\tretpw@h.example/v1" })).toEqual({ baseUrl: `https://${REDACTED}@h.example/v1` });
    // A sentence holding URLs is not one URL (the parser would swallow it whole as a path), and a
    // URL glued to the text before it (…%20https://…) is still a URL.
    const sentence = r.text("http://u:pw1s3cret@h.example/v1 could not be reached (tried http://u:pw1s3cret@h.example/v1/models)");
    expect(sentence).toBe(`http://${REDACTED}@h.example/v1 could not be reached (tried http://${REDACTED}@h.example/v1/models)`);
    expect(r.text("GET /go?to=x%20https://u:pw1s3cret@h.example/")).not.toContain("pw1s3cret");
    // control: the host, path and an ordinary e-mail address in text stay readable
    expect(r.text("https://api.example.com/v1/models")).toBe("https://api.example.com/v1/models");
    expect(r.text("write to bob@example.org or see https://example.org/x")).toBe("write to bob@example.org or see https://example.org/x");
  });

  it("attack: credential parameters in a URL fragment or with a percent-encoded name are masked", () => {
    expect(r.text("redirected to https://app.example/cb#access_token=ya29abcdef&state=x")).toBe(`redirected to https://app.example/cb#access_token=${REDACTED}&state=x`);
    expect(r.text("https://h.example/x?%74oken=abcdef123")).toBe(`https://h.example/x?%74oken=${REDACTED}`);
    expect(r.text("https://h.example/x?access%5Ftoken=abcdef123")).toBe(`https://h.example/x?access%5Ftoken=${REDACTED}`);
    expect(r.text("https://h.example/x?auth[token]=abcdef123&page=2")).toBe(`https://h.example/x?auth[token]=${REDACTED}&page=2`);
    // control: ordinary fragment and query parameters stay
    expect(r.text("https://docs.example/page#section=intro&q=tokens")).toBe("https://docs.example/page#section=intro&q=tokens");
  });

  it("attack: a known secret is masked percent-encoded (in a URL) and JSON-escaped (a raw log line), not only as typed", () => {
    const known = new Redactor(['pa ss/"w\\rd!42']);
    expect(known.text(`GET /login?pw=${encodeURIComponent('pa ss/"w\\rd!42')}`)).toBe(`GET /login?pw=${REDACTED}`);
    expect(known.text(JSON.stringify({ msg: "auth", detail: 'pa ss/"w\\rd!42' }))).toBe(`{"msg":"auth","detail":"${REDACTED}"}`);
    // control: the plain spelling still goes, other text stays
    expect(known.text('was pa ss/"w\\rd!42 ok')).toBe(`was ${REDACTED} ok`);
    expect(known.text("pa ss")).toBe("pa ss");
  });

  it("attack: secret-named values written out as text (JSON in a message, assignments, header lines) are masked by the key-name rule", () => {
    expect(r.text('provider said 400: {"api_key":"q8Zt3kLmN0pR","model":"x"}')).toBe(`provider said 400: {"api_key":"${REDACTED}","model":"x"}`);
    expect(r.text("connect failed: host=db password=hunter2hunter2 user=bob")).toBe(`connect failed: host=db password=${REDACTED} user=bob`);
    expect(r.text("spawn simpleclaw --token=q8Zt3kLmN0pR")).toBe(`spawn simpleclaw --token=${REDACTED}`);
    expect(r.text("env AWS_SECRET_ACCESS_KEY=q8Zt3kLmN0pR/x+y")).toBe(`env AWS_SECRET_ACCESS_KEY=${REDACTED}`);
    expect(r.text("request headers:\nX-Api-Key: q8Zt3kLmN0pR\nAuthorization: Token q8Zt3kLmN0pR\nAccept: */*")).toBe(
      `request headers:\nX-Api-Key: ${REDACTED}\nAuthorization: Token ${REDACTED}\nAccept: */*`,
    );
    // control: counts, env-var names, config paths in error messages and ordinary prose stay
    expect(r.text('{"maxTokens":"4096","apiKeyEnv":"OPENAI_API_KEY"}')).toBe('{"maxTokens":"4096","apiKeyEnv":"OPENAI_API_KEY"}');
    expect(r.text("gateway.auth.token: Invalid input: expected string")).toBe("gateway.auth.token: Invalid input: expected string");
    expect(r.text("maxTokens=4096 model=gpt a==b")).toBe("maxTokens=4096 model=gpt a==b");
    expect(r.text("missing gateway token; pass it with --token")).toBe("missing gateway token; pass it with --token");
    expect(r.text("Content-Type: application/json")).toBe("Content-Type: application/json");
    expect(r.text("login failed: invalid credentials: the server said no")).toBe("login failed: invalid credentials: the server said no");
  });

  it("masks values under secret-looking key names, not counts or env-var names", () => {
    const out = r.value({ accessToken: "at-1", webhookSecret: "ws-1", refreshToken: "rt", dbPassword: "pw", maxTokens: 5, apiKeyEnv: "OPENAI_API_KEY", chunkTokens: 400 });
    expect(out).toEqual({ accessToken: REDACTED, webhookSecret: REDACTED, refreshToken: REDACTED, dbPassword: REDACTED, maxTokens: 5, apiKeyEnv: "OPENAI_API_KEY", chunkTokens: 400 });
  });

  it("masks the key paths a plugin's JSON Schema marks secret (writeOnly, format password)", () => {
    const schema = {
      type: "object",
      properties: {
        pin: { type: "string", writeOnly: true },
        passphrase: { type: "string", format: "password" },
        room: { type: "string" },
        accounts: { type: "array", items: { type: "object", properties: { cred: { type: "string", writeOnly: true }, name: { type: "string" } } } },
      },
    };
    const paths = secretPathsOfJsonSchema(schema);
    expect(paths).toEqual([["pin"], ["passphrase"], ["accounts", "*", "cred"]]);
    const cfg = { plugins: { entries: { p: { config: { pin: "1234", passphrase: "open sesame", room: "lobby", accounts: [{ cred: "c1", name: "n" }] } } } } };
    const full = paths.map((p) => ["plugins", "entries", "p", "config", ...p]);
    expect(r.value(cfg, full).plugins.entries.p.config).toEqual({ pin: REDACTED, passphrase: REDACTED, room: "lobby", accounts: [{ cred: REDACTED, name: "n" }] });
  });
});

describe("Redactor.text: time stays linear in the text (it runs on every log line and on text from clients, channels and tools)", () => {
  // Each is 100,000 characters, the size of a chat message or a tool result; before, a
  // long word took ~30 s and blocked the gateway's event loop while it was logged.
  const N = 100_000;
  const adversarial: Record<string, string> = {
    "one long word": "a".repeat(N),
    "one long word ending in @": `${"a".repeat(N - 1)}@`,
    "scheme characters": "a+".repeat(N / 2),
    "repeated special schemes": "http:".repeat(N / 5),
    "repeated special schemes, then /@": `${"ws:a".repeat(N / 4 - 1)}/@`,
    "a JSON member that never closes": `"token":"${"x".repeat(N)}`,
    "a header line with a long value": `X-Note: ${"b".repeat(N)}`,
    "letters after an @ and a scheme": `a://b@${"c".repeat(N)}`,
    "many short userinfos": "a://b@".repeat(N / 6),
  };
  for (const [name, text] of Object.entries(adversarial)) {
    it(`attack: ${name} is scrubbed in well under a second`, () => {
      const r = new Redactor(["hunter2-gateway-token"]);
      const t0 = performance.now();
      r.text(text);
      expect(performance.now() - t0).toBeLessThan(1000);
    });
  }

  it("control: credentials in URLs among long words are still masked whole, in every spelling", () => {
    const r = new Redactor();
    const pad = "w".repeat(20_000);
    expect(r.text(`${pad} https://bob:s3cret@host/x ${pad}`)).toBe(`${pad} https://${REDACTED}@host/x ${pad}`);
    expect(r.text(`${pad}https:\\/\\bob:p@ss@host`)).toBe(`${pad}https:\\/\\${REDACTED}@host`);
    expect(r.text(`see git+ssh://tok@github.com/a and ftp:/u:p@h`)).toBe(`see git+ssh://${REDACTED}@github.com/a and ftp:/${REDACTED}@h`);
    expect(r.text(`${"x".repeat(100)}+scheme://u:p@h`)).toBe(`${"x".repeat(100)}+scheme://${REDACTED}@h`);
  });
});
