// Shared set-up for the browser tests: a loopback static server over dist/ and
// Debian's headless Chromium driven by playwright-core (no browser download).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
// `dist/` is the shipped page; `dist-bugs/` the same page built with the
// `bug-injection` feature, whose deliberately broken engines prove the guards.
export const DIST = join(ROOT, 'dist');
export const DIST_BUGS = join(ROOT, 'dist-bugs');
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

export async function serveDist(root = DIST) {
  await stat(join(root, 'index.html')).catch(() => {
    throw new Error(`${root}/index.html is missing: run \`bash scripts/test.sh\` (it builds both pages) first`);
  });
  // Links as long as a browser takes (the tests paste a megabyte of hostile text).
  const server = createServer({ maxHeaderSize: 4 * 1024 * 1024 }, async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records console errors, uncaught exceptions and any request that
// leaves the test server (the app must make none).
export async function openPage(browser, base, query = '') {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  // A blob: URL of the page's own origin is memory (an exported image), not the network.
  const own = (url) => url.startsWith(base) || url.startsWith(`blob:${new URL(base).origin}/`);
  page.on('request', (r) => { if (!own(r.url())) problems.push(`external request: ${r.url()}`); });
  await page.goto(base + query);
  return { page, problems };
}

// The native CLI, built by `cargo build --release` (or debug as a fallback).
export function cli(args) {
  const candidates = ['target/release/electionscope', 'target/debug/electionscope'].map((p) => join(ROOT, p));
  const bin = process.env.ELECTIONSCOPE_CLI ?? candidates.find((p) => { try { execFileSync(p, ['--version']); return true; } catch { return false; } });
  if (!bin) throw new Error('the electionscope CLI is not built: run `cargo build --release`');
  return execFileSync(bin, args, { encoding: 'utf8' });
}

/// The RGBA pixels of a PNG screenshot (8-bit RGB or RGBA, not interlaced: what
/// Chromium writes), so a test can count what is on screen without an image library.
export function pngPixels(png) {
  let pos = 8; let width = 0; let height = 0; let channels = 4; const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos); const type = png.toString('ascii', pos + 4, pos + 8);
    const body = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[12] !== 0 || ![2, 6].includes(body[9])) throw new Error('unsupported PNG');
      channels = body[9] === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels; const out = Buffer.alloc(width * height * 4); const prev = Buffer.alloc(stride); const row = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]; const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels] : 0; const b = prev[x]; const c = x >= channels ? prev[x - channels] : 0;
      const p = a + b - c; const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c);
      const predict = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      row[x] = (src[x] + predict) & 255;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = row[x * channels + k];
      out[(y * width + x) * 4 + 3] = channels === 4 ? row[x * channels + 3] : 255;
    }
    row.copy(prev);
  }
  return { width, height, data: out };
}
