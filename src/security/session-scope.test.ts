import { describe, expect, it } from "vitest";
import { directSessionKey, dmSessionNotice, groupSessionKey, mainSessionKey, parseSessionKey } from "./session-scope.js";

describe("session keys", () => {
  it("builds the documented shapes", () => {
    expect(mainSessionKey("main")).toBe("agent:main:main");
    expect(directSessionKey("main", "main", "telegram", "42", false)).toBe("agent:main:main");
    expect(directSessionKey("main", "per-sender", "telegram", "42", false)).toBe("agent:main:telegram:direct:42");
    expect(groupSessionKey("work", "slack", "C123")).toBe("agent:work:slack:group:C123");
  });

  it("per-sender: the owner's DMs go to main (control), every other sender to a session of their own", () => {
    expect(directSessionKey("main", "per-sender", "telegram", "1", true)).toBe("agent:main:main");
    const guest = directSessionKey("main", "per-sender", "telegram", "2", false);
    const other = directSessionKey("main", "per-sender", "telegram", "3", false);
    expect(parseSessionKey(guest)?.main).toBe(false);
    expect(guest).not.toBe(other);
    // The same id on another channel is another person.
    expect(directSessionKey("main", "per-sender", "discord", "2", false)).not.toBe(guest);
  });

  it("says what an approved sender gets, and warns when dmScope main shares the owner's session", () => {
    expect(dmSessionNotice("main", "per-sender", "telegram", "2", false)).toMatchObject({ sessionKey: "agent:main:telegram:direct:2", shared: false });
    expect(dmSessionNotice("main", "per-sender", "telegram", "1", true)).toMatchObject({ sessionKey: "agent:main:main", shared: false });
    const shared = dmSessionNotice("main", "main", "telegram", "2", false);
    expect(shared.shared).toBe(true);
    expect(shared.message).toMatch(/main session.*history/);
  });

  it("a peer id cannot forge another key's segments", () => {
    const forged = directSessionKey("main", "per-sender", "telegram", "x:main", false);
    expect(forged).not.toBe("agent:main:main");
    expect(forged).toBe("agent:main:telegram:direct:x%3amain");
    expect(parseSessionKey(forged)?.main).toBe(false);
  });

  it("parses valid keys and refuses malformed ones", () => {
    expect(parseSessionKey("agent:main:main")).toEqual({ agentId: "main", rest: "main", main: true });
    expect(parseSessionKey("agent:main:telegram:direct:42")?.agentId).toBe("main");
    for (const bad of ["", "main", "agent::main", "agent:Main:main", "agent:main:", "agent:main::x", "agent:main:a b", "agent:main:../x/y", "agent:main:" + "x".repeat(300)]) {
      expect(parseSessionKey(bad), bad).toBeUndefined();
    }
  });
});
