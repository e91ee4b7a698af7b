// Every piece of text the Control UI renders passes through here, once: a Preact hook on each
// text node. Most of what the UI shows is someone else's text — model replies, tool results, a
// stranger's chat id, a skill's requirement names, a job's target, an audit's evidence — and
// Preact already keeps it text (never HTML). What text alone can still do is hide or reorder
// itself: a bidi override (U+202E) or isolate makes "exe.txt" read as something else and turns
// a command around for whoever copies it; zero-width characters make two ids that differ look
// the same. So invisible, control and format characters are shown escaped (`\u{202e}`), the same
// rule (src/infra/display.ts) the CLI, the TUI and chat prompts use. Tabs and newlines stay.
import { options, type VNode } from "preact";
import { escapeForDisplay } from "../../src/infra/display";

let installed = false;

export function installShownTextGuard(): void {
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    // A text node is a vnode without a type whose props are the string itself.
    if (vnode.type === null && typeof (vnode as { props: unknown }).props === "string") {
      (vnode as { props: unknown }).props = escapeForDisplay((vnode as unknown as { props: string }).props);
    }
    previous?.(vnode);
  };
}
