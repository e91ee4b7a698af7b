// Control UI entry point (served by the gateway at /; see docs/control-ui.md).
import { render } from "preact";
import { App } from "./app";
import { installShownTextGuard } from "./shown-text";
import "./styles.css";

// Before the first render: every text node the UI shows is escaped for display (shown-text.ts).
installShownTextGuard();
render(<App />, document.getElementById("app")!);
