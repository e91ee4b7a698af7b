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

  it("attack: two different ids never share a session — escapes have a fixed width, long ids are not cut to a common prefix", () => {
    const dmKey = (peer: string) => directSessionKey("main", "per-sender", "matrix", peer, false);
    // Escapes of varying width: U+0001 then "0" and U+0010 both escaped to "%10".
    expect(dmKey("a\u00010")).not.toBe(dmKey("a\u0010"));
    // A code unit above 0xff against two bytes-worth of escapes: U+4E2D vs "N" + "-" style spellings.
    expect(dmKey("\u4e2d")).not.toBe(dmKey("%4e2d"));
    expect(dmKey("\u00e9")).not.toBe(dmKey("%e9"));
    // A long id (Matrix, e-mail, …): a look-alike sharing the first 120 characters is somebody else.
    const victim = `@${"a".repeat(130)}:victim.example`;
    const attacker = `@${"a".repeat(130)}:evil.example`;
    expect(dmKey(attacker)).not.toBe(dmKey(victim));
    expect(groupSessionKey("main", "matrix", `!${"r".repeat(130)}:a`)).not.toBe(groupSessionKey("main", "matrix", `!${"r".repeat(130)}:b`));
    // control: ordinary ids keep their readable keys, the same id always gets the same key, and
    // long keys stay valid keys of bounded length.
    expect(dmKey("@alice:example.org")).toBe("agent:main:matrix:direct:@alice%3aexample.org");
    expect(dmKey(victim)).toBe(dmKey(victim));
    expect(parseSessionKey(dmKey(victim))?.main).toBe(false);
    expect(parseSessionKey(dmKey("\u4e2d".repeat(200)))?.main).toBe(false);
  });

  it("parses valid keys and refuses malformed ones", () => {
    expect(parseSessionKey("agent:main:main")).toEqual({ agentId: "main", rest: "main", main: true });
    expect(parseSessionKey("agent:main:telegram:direct:42")?.agentId).toBe("main");
    for (const bad of ["", "main", "agent::main", "agent:Main:main", "agent:main:", "agent:main::x", "agent:main:a b", "agent:main:../x/y", "agent:main:" + "x".repeat(300)]) {
      expect(parseSessionKey(bad), bad).toBeUndefined();
    }
  });
});
