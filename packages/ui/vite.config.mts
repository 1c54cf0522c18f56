import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built to static files that services/api serves at / (same origin as /api). The API's CSP is
// `default-src 'self'`: no inline scripts or styles, no eval (so no runtime-compiled validators).
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Vite inlines small assets as data: URLs by default; keep every asset a file ('self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': process.env.FLOWGATE_URL ?? 'http://127.0.0.1:7070' },
  },
});
