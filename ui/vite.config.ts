import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app loads only bundled files: no CDN, no remote fonts. The dev server listens on
// 127.0.0.1 only, at the port tauri.conf.json names as devUrl.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    assetsInlineLimit: 0,
  },
});
