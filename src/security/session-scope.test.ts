import { describe, expect, it } from "vitest";
import { directSessionKey, groupSessionKey, mainSessionKey, parseSessionKey } from "./session-scope.js";

describe("session keys", () => {
  it("builds the documented shapes", () => {
    expect(mainSessionKey("main")).toBe("agent:main:main");
    expect(directSessionKey("main", "main", "telegram", "42")).toBe("agent:main:main");
    expect(directSessionKey("main", "per-peer", "telegram", "42")).toBe("agent:main:direct:42");
    expect(directSessionKey("main", "per-channel-peer", "telegram", "42")).toBe("agent:main:telegram:direct:42");
    expect(groupSessionKey("work", "slack", "C123")).toBe("agent:work:slack:group:C123");
  });

  it("a peer id cannot forge another key's segments", () => {
    const forged = directSessionKey("main", "per-peer", "telegram", "x:main");
    expect(forged).not.toBe("agent:main:main");
    expect(forged).toBe("agent:main:direct:x%3amain");
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
