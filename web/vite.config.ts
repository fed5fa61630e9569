import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The offline shell: emits sw.js (from web/sw.js) with this build's version and the files to
 * precache (every built file, the manifest and icon), so a new build is a new service worker.
 */
function offlineShell(): Plugin {
  return {
    name: 'threshold-offline-shell',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((f) => !f.endsWith('.map') && f !== 'index.html' && f !== 'sw.js');
      const files = ['/index.html', '/manifest.webmanifest', '/icon.svg', ...built.map((f) => `/${f}`).sort()];
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const template = readFileSync(`${root}/sw.js`, 'utf8');
      if (!template.includes('const SHELL = SHELL_MANIFEST;')) throw new Error('web/sw.js lost its `const SHELL = SHELL_MANIFEST;` line');
      const source = template.replace('const SHELL = SHELL_MANIFEST;', `const SHELL = ${JSON.stringify({ version, files })};`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

/** The web app: `vite build --config web/vite.config.ts` → web/dist, served by the API server. */
export default defineConfig({
  root,
  plugins: [react(), offlineShell()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:3000', '/health': 'http://localhost:3000' },
  },
});
