import { defineConfig } from 'vite';

// The console is served by the gateway under /dashboard/ (src/routes/ops/web.ts). Preact's automatic JSX
// runtime is enough through esbuild, so no Babel-based preset is needed.
export default defineConfig({
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: '/dashboard/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Everything, small icons included, stays a file: the CSP allows `data:` only for images.
    assetsInlineLimit: 0,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
