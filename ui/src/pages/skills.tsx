// Skills: every skill the gateway finds (skills.list) — where it comes from, whether the agent
// sees it and why not, its requirements, and what the skill scanner found — with allow/deny
// buttons that edit skills.allow (skills.allow / skills.deny). Installing stays with the CLI.
import type { Gateway } from "../gateway";
import { useAction } from "../hooks";
import { useEffect, useState } from "preact/hooks";
import type { SkillRow, SkillsListResult } from "../../../src/protocol/results.js";
import { escapeForDisplay } from "../../../src/infra/display";

/** A skill's text is its author's: invisible and control characters are shown escaped. */
const shown = (t: string | undefined) => escapeForDisplay(t ?? "", { oneLine: true });

const STATUS: Record<SkillRow["status"], string> = {
  ready: "shown to the agent",
  blocked: "blocked by skills.allow",
  unmet: "hidden: requirements not met",
  shadowed: "shadowed",
  invalid: "invalid",
  modified: "modified since install",
};

function source(s: SkillRow): string {
  if (s.source === "plugin") return `plugin ${s.plugin ?? ""}`;
  if (s.source === "state") return s.pinned ? "state dir (pinned)" : s.pinned === false ? "state dir (not pinned)" : "state dir";
  return "workspace";
}

function requirements(s: SkillRow) {
  const parts: Array<[string, string[], string[]]> = [
    ["bins", s.requires.bins, s.missing.bins],
    ["env", s.requires.env, s.missing.env],
    ["os", s.requires.os, s.missing.os],
  ];
  const used = parts.filter(([, need]) => need.length > 0);
  if (!used.length) return <span class="muted">none</span>;
  return (
    <>
      {used.map(([label, need, missing]) => (
        <span key={label}>
          {label}:{" "}
          {need.map((n) => (
            <code key={n} class={missing.includes(n) ? "missing" : "present"} title={missing.includes(n) ? "missing" : "present"}>
              {n}
              {missing.includes(n) ? " ✗" : " ✓"}
            </code>
          ))}{" "}
        </span>
      ))}
    </>
  );
}

export function SkillsPage(props: { gw: Gateway }) {
  const act = useAction();
  const [list, setList] = useState<SkillsListResult | undefined>(undefined);
  const load = () => void act.run(async () => setList(await props.gw.call<SkillsListResult>("skills.list", {}, 60_000)));
  useEffect(load, [props.gw]);
  const change = (name: string, allow: boolean) =>
    void act.run(async () => {
      await props.gw.call(allow ? "skills.allow" : "skills.deny", { name });
      setList(await props.gw.call<SkillsListResult>("skills.list", {}, 60_000));
    });
  return (
    <div>
      <div class="page-head">
        <h2>Skills</h2>
        <button id="reload-skills" class="secondary" disabled={act.busy} onClick={load}>
          Reload
        </button>
      </div>
      <p class="muted">
        Skills are instructions the agent reads when a task matches. Install and remove them on the host with{" "}
        <code>simpleclaw skills install|remove</code>; the scanner is a tripwire for known attacks, not a guarantee.
      </p>
      {act.error && (
        <p class="error" role="alert">
          {act.error}
        </p>
      )}
      {list && !list.allowSet && (
        <p class="warn-note" id="skills-no-allowlist">
          skills.allow is not set: every skill whose requirements are met is shown to the agent. Allowing or denying one here starts the list from every skill found.
        </p>
      )}
      {list?.problems.map((p) => (
        <p class="error small" key={p}>
          {shown(p)}
        </p>
      ))}
      {list && list.skills.length === 0 && <p>No skills found.</p>}
      {list?.skills.map((s) => {
        const critical = s.findings.filter((f) => f.severity === "critical").length;
        return (
          <article class={`card skill ${s.status}${critical ? " critical" : ""}`} key={`${s.source}-${s.dir}`} data-skill={s.name} data-status={s.status}>
            <h4>
              {s.name} <span class="pill">{STATUS[s.status]}</span> <span class="muted small">{source(s)}</span>
            </h4>
            <p>{shown(s.description)}</p>
            {s.reason && <p class="small muted">{shown(s.reason)}</p>}
            <p class="small">
              <b>requires:</b> {requirements(s)}
            </p>
            <p class="small">
              <b>folder:</b> <code>{shown(s.dir)}</code>
            </p>
            {s.findings.length > 0 && (
              <ul class="findings small">
                {s.findings.map((f, i) => (
                  <li key={i} class={`sev ${f.severity}`} data-check-id={f.checkId}>
                    <b>{f.severity}</b> <code>{f.checkId}</code> {shown(f.file)}:{f.line} — {f.message}: <code>{shown(f.excerpt)}</code>
                  </li>
                ))}
              </ul>
            )}
            {s.unscanned.length > 0 && <p class="small muted unscanned">not scanned: {s.unscanned.map(shown).join("; ")}</p>}
            {s.status !== "invalid" && s.status !== "shadowed" && (
              <div class="actions">
                {s.allowed ? (
                  <button class="secondary small deny-skill" disabled={act.busy} onClick={() => change(s.name, false)}>
                    Deny
                  </button>
                ) : (
                  <button class="small allow-skill" disabled={act.busy} onClick={() => change(s.name, true)}>
                    Allow{critical ? " (has critical findings)" : ""}
                  </button>
                )}
              </div>
            )}
          </article>
        );
      })}
    </div>
  );
}
