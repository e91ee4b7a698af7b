// How much of a session's transcript a run shows the model (docs/operations.md). The
// transcript itself keeps everything; the model sees the most recent whole turns that fit
// HISTORY_MAX_CHARS, so a session that grew past the model's context (long messages, big
// tool results: up to 100,000 characters each, 25 steps a run) keeps answering instead of
// failing every run until /new. What is left out is counted, so the run can say so.
import type { ModelMessage } from "ai";

/** Characters (of the messages' JSON) of earlier conversation a run sends at most. */
export const HISTORY_MAX_CHARS = 300_000;

export interface FittedHistory {
  messages: ModelMessage[];
  /** Earlier messages not sent. */
  omitted: number;
}

/**
 * The newest part of `history` within `maxChars`, cut only before a user message so every
 * tool call keeps its result and the model sees whole turns. When not even the last turn
 * fits, nothing earlier is sent. `older`: messages before `history` that were not even read
 * (SessionStore.tail); they count as left out.
 */
export function fitHistory(history: readonly ModelMessage[], maxChars = HISTORY_MAX_CHARS, older = 0): FittedHistory {
  const sizes = history.map((m) => JSON.stringify(m).length);
  let total = 0;
  let keepFrom = history.length;
  for (let i = history.length - 1; i >= 0; i--) {
    total += sizes[i]!;
    if (total > maxChars) break;
    if (history[i]!.role === "user") keepFrom = i;
  }
  return { messages: history.slice(keepFrom), omitted: older + keepFrom };
}

/** The line a run adds to the system prompt when earlier messages were left out. */
export function omittedHistoryNote(f: FittedHistory): string {
  return `[Context: the ${f.omitted} earliest message(s) of this conversation are not shown, to stay within the model's context. The transcript keeps them; ask the user if you need something from earlier.]`;
}
