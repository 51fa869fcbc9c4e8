import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Paths are pinned to this file so `vite build console` (from the repo root), `vite build`
// (from console/) and the e2e test's programmatic build all produce the same console/dist.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
  },
});
