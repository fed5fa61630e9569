/* Threshold's service worker (hand-written, see docs/decisions/011-offline-kiosk.md).
 * The build (web/vite.config.ts, offlineShell) fills in SHELL below with this build's version and
 * its files, so every build is a new worker: it precaches the new shell beside the old one and
 * waits; the kiosk tells it to take over when it is idle (message "skip-waiting"), then reloads.
 * API calls are never cached here: the kiosk's data lives in IndexedDB (web/src/offline/). */
const SHELL = SHELL_MANIFEST;
const CACHE = `threshold-shell-${SHELL.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.files)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('threshold-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'version' && event.ports[0]) event.ports[0].postMessage(SHELL.version);
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/scim/') || url.pathname === '/health' || url.pathname === '/ready') return;
  if (req.mode === 'navigate') {
    // The network first (a new build shows at once when online); the cached shell when there is none.
    event.respondWith(fetch(req).catch(() => caches.open(CACHE).then((c) => c.match('/index.html')).then((r) => r || Response.error())));
    return;
  }
  // Built files have content-hashed names: the cached copy is the right one.
  event.respondWith(caches.open(CACHE).then((c) => c.match(req, { ignoreSearch: true }).then((hit) => hit || fetch(req))));
});
