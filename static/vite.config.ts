import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is built into site/, the folder the `static` component serves. Hashed files go to
// site/assets/ (served with a year-long immutable cache); index.html is revalidated.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "site",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The CSP allows scripts from our own origin only: no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        entryFileNames: "assets/app-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  server: {
    // `npm run dev` talks to a hub started with scripts/run.sh.
    proxy: { "/api": { target: "http://127.0.0.1:3000", changeOrigin: false } },
  },
});
