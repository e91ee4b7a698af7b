// Control UI entry point (served by the gateway at /; see docs/control-ui.md).
import { render } from "preact";
import { App } from "./app";
import "./styles.css";

render(<App />, document.getElementById("app")!);
