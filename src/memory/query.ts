// Memory search, keyword half: turns what a user or the model typed into an FTS5 MATCH
// expression that can never be a syntax error or an operator injection. Only word
// characters survive, every word becomes a quoted phrase, and phrases are OR-ed (BM25
// ranks notes matching more of them higher). Pure.

/** Words too common to help ranking; dropped unless nothing else is left. */
const STOPWORDS = new Set(
  (
    "a an and are as at be but by did do does for from had has have he her his how i if in into is it its me my of on or our she so " +
    "that the their them then there these they this to was we were what when where which who why will with you your"
  ).split(" "),
);

export const MAX_QUERY_TERMS = 24;
const MAX_TERM_CHARS = 64;

/**
 * The FTS5 expression for `query`, or undefined when it has no searchable word.
 * A whitespace-separated word that the tokenizer would split (e.g. "2026-11-20",
 * "e-mail") stays one phrase, so it matches those tokens next to each other.
 */
export function ftsQuery(query: string): string | undefined {
  const phrases: string[][] = [];
  const seen = new Set<string>();
  for (const word of query.normalize("NFKC").split(/\s+/u)) {
    const tokens = (word.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).map((t) => t.slice(0, MAX_TERM_CHARS));
    if (tokens.length === 0) continue;
    const key = tokens.join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    phrases.push(tokens);
  }
  const useful = phrases.filter((p) => !(p.length === 1 && STOPWORDS.has(p[0]!)));
  const chosen = (useful.length ? useful : phrases).slice(0, MAX_QUERY_TERMS);
  if (chosen.length === 0) return undefined;
  // Tokens hold only letters, marks and digits: no quote can appear inside a phrase.
  return chosen.map((p) => `"${p.join(" ")}"`).join(" OR ");
}
