import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { ftsQuery, MAX_QUERY_TERMS } from "./query.js";

describe("ftsQuery", () => {
  it("quotes every word and ORs them", () => {
    expect(ftsQuery("favourite tea")).toBe('"favourite" OR "tea"');
  });

  it("drops stopwords unless nothing else is left", () => {
    expect(ftsQuery("what is the wifi password")).toBe('"wifi" OR "password"');
    expect(ftsQuery("what is it")).toBe('"what" OR "is" OR "it"');
  });

  it("keeps a hyphenated word as one phrase", () => {
    expect(ftsQuery("2026-11-20 e-mail")).toBe('"2026 11 20" OR "e mail"');
  });

  it("returns undefined when there is no word", () => {
    expect(ftsQuery("")).toBeUndefined();
    expect(ftsQuery('  *** "" () : ^ ')).toBeUndefined();
  });

  it("caps the number of terms and deduplicates", () => {
    const q = ftsQuery(Array.from({ length: 100 }, (_, i) => `w${i} w${i}`).join(" "))!;
    expect(q.split(" OR ")).toHaveLength(MAX_QUERY_TERMS);
  });

  it("neutralises FTS5 syntax: no query is a syntax error, and operators are just words", () => {
    const db = new DatabaseSync(":memory:");
    db.exec("CREATE VIRTUAL TABLE t USING fts5(text, path)");
    const ins = db.prepare("INSERT INTO t(text, path) VALUES (?, ?)");
    ins.run("alpha beta gamma", "a.md");
    ins.run("the NEAR operator and the OR keyword", "b.md");
    ins.run("secret stuff", "c.md");
    const attacks = [
      '"unbalanced',
      'alpha" OR "secret',
      "alpha OR secret",
      "NEAR(alpha beta)",
      "alpha NEAR/1 beta",
      "alph*",
      "*",
      "path:secret",
      "text : secret",
      "{text path}: secret",
      "^alpha",
      "alpha AND NOT beta",
      "-secret",
      "alpha + beta",
      "( ) ( ((",
      "a'b; DROP TABLE t; --",
      "\u0000\u0001",
      "über straße",
      "🙂 emoji",
      "c:\\windows\\path",
    ];
    const search = db.prepare("SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t)");
    for (const a of attacks) {
      const q = ftsQuery(a);
      if (q === undefined) continue;
      expect(() => search.all(q), a).not.toThrow();
    }
    // Operators typed by the user are plain words, not FTS5 operators.
    expect(ftsQuery("NEAR(alpha beta)")).toBe('"near alpha" OR "beta"');
    expect(search.all(ftsQuery("NEAR(alpha beta)")!).map((r) => r.path)).toEqual(["a.md"]);
    expect(search.all(ftsQuery("NEAR ( alpha )")!).map((r) => r.path).sort()).toEqual(["a.md", "b.md"]);
    expect(search.all(ftsQuery("alpha NOT beta")!).map((r) => r.path)).toEqual(["a.md"]); // NOT would have excluded it
    // A column filter cannot be injected: "path:secret" searches the words "path" and "secret".
    expect(ftsQuery("path:secret")).toBe('"path secret"');
    expect(search.all(ftsQuery("path : secret")!).map((r) => r.path)).toEqual(["c.md"]);
    // No prefix expansion: "alph*" is the word "alph".
    expect(search.all(ftsQuery("alph*")!)).toEqual([]);
    expect(db.prepare("SELECT count(*) AS n FROM t").get()!.n).toBe(3);
  });
});
