import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The Tauri shell loads ui/dist (embedded) or this dev server (tauri dev).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // One CSS file, no inline styles: the window's CSP allows only 'self'.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    // zxcvbn's dictionaries (~1.5 MB) are one lazily loaded chunk, fetched only when a
    // password form opens; that size is expected.
    chunkSizeWarningLimit: 1600,
  },
});
