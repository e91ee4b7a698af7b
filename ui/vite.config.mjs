// Builds the Control UI into ui/dist, which the gateway serves at / (src/gateway/http.ts).
// The gateway's CSP allows only same-origin scripts and styles, so the build must not
// inline anything: no module-preload polyfill, no data: assets, one external CSS file.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
  },
  // `npx vite ui` for UI work against a gateway on the default port.
  server: { proxy: { "/ws": { target: "ws://127.0.0.1:18789", ws: true } } },
});
