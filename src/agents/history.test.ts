import type { ModelMessage } from "ai";
import { describe, expect, it } from "vitest";
import { HISTORY_MAX_CHARS, fitHistory, omittedHistoryNote } from "./history.js";

const user = (text: string): ModelMessage => ({ role: "user", content: text });
const assistant = (text: string): ModelMessage => ({ role: "assistant", content: text });
const toolTurn = (id: string, output: string): ModelMessage[] => [
  { role: "assistant", content: [{ type: "tool-call", toolCallId: id, toolName: "read", input: { path: "big.txt" } }] },
  { role: "tool", content: [{ type: "tool-result", toolCallId: id, toolName: "read", output: { type: "text", value: output } }] },
];
const size = (ms: readonly ModelMessage[]) => ms.reduce((n, m) => n + JSON.stringify(m).length, 0);

describe("fitHistory: what a run shows the model of a long session", () => {
  it("attack: a session grown far past any model's context (100,000-character tool results, turn after turn) sends only its newest whole turns, within the bound, and counts the rest", () => {
    const history: ModelMessage[] = [];
    for (let t = 0; t < 40; t++) history.push(user(`read it ${t}`), ...toolTurn(`c${t}`, "x".repeat(100_000)), assistant(`done ${t}`));
    const f = fitHistory(history);
    expect(size(f.messages)).toBeLessThanOrEqual(HISTORY_MAX_CHARS);
    expect(f.messages.length).toBeGreaterThan(0);
    expect(f.messages[0]).toMatchObject({ role: "user" }); // a whole turn: no tool result without its call
    expect(f.messages.at(-1)).toEqual(history.at(-1));
    expect(f.omitted + f.messages.length).toBe(history.length);
    expect(omittedHistoryNote(f)).toContain(`${f.omitted} earliest message(s)`);
  });

  it("attack: a last turn bigger than the bound on its own is not sent at all (the run still gets the new message)", () => {
    const history = [user("hi"), assistant("hello"), user("y".repeat(HISTORY_MAX_CHARS + 1)), assistant("ok")];
    expect(fitHistory(history)).toMatchObject({ messages: [], omitted: 4 });
  });

  it("control: an ordinary session is sent whole, tool turns included", () => {
    const history = [user("hi"), assistant("hello"), user("read big.txt"), ...toolTurn("c1", "z".repeat(50_000)), assistant("it says z")];
    expect(fitHistory(history)).toEqual({ messages: history, omitted: 0 });
    expect(fitHistory([])).toEqual({ messages: [], omitted: 0 });
    expect(fitHistory(history, HISTORY_MAX_CHARS, 7)).toEqual({ messages: history, omitted: 7 }); // older ones the store did not read
  });
});
