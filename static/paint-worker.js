// Paints every canvas of the page off its main thread: the messages in flight and the
// election-timer rings over the cluster, and the space-time diagram's arrows, role
// marks and ticks.
//
// The page transfers each canvas here once (transferControlToOffscreen, with its kind)
// and then posts one message per animation frame holding each canvas's part as plain
// numbers (src/web/paint.rs); everything drawn is decided by the app
// (src/web/message_layer.rs, src/web/diagram.rs). Painting on the main thread cost
// about 2 ms a frame at 25 nodes (clearing, copying and committing the bitmaps), a
// quarter of the frame at 4x CPU throttle; one message rather than one per canvas,
// because waking this thread costs the page each time.
'use strict';

const DOT_RADIUS = 9;
const DYING = 9;
const HELD = 10;

// Each canvas the page handed over, by kind, with its 2D context.
const canvases = {};
let palette = null;
let sheet = null; // { bitmap, scale, cell }

function drawSheet(scale) {
  // The held outline (3 wide) reaches furthest: radius + 1.5, plus a pixel of
  // anti-aliasing on each side.
  const cell = Math.ceil((DOT_RADIUS + 1.5) * 2 * scale + 2);
  const c = new OffscreenCanvas(cell * (HELD + 1), cell);
  const g = c.getContext('2d');
  const centre = (i) => {
    g.setTransform(scale, 0, 0, scale, cell * i + cell / 2, cell / 2);
    g.beginPath();
    g.arc(0, 0, DOT_RADIUS, 0, 2 * Math.PI);
  };
  g.lineWidth = 2;
  g.strokeStyle = palette.outline;
  palette.byClass.forEach((colour, i) => {
    centre(i);
    g.fillStyle = colour;
    g.fill();
    g.stroke();
  });
  centre(DYING);
  g.fillStyle = palette.dying;
  g.fill();
  g.stroke();
  g.beginPath();
  g.moveTo(-6, -6);
  g.lineTo(6, 6);
  g.moveTo(6, -6);
  g.lineTo(-6, 6);
  g.strokeStyle = '#fff';
  g.lineWidth = 2.5;
  g.stroke();
  centre(HELD);
  g.strokeStyle = palette.held;
  g.lineWidth = 3;
  g.stroke();
  return { bitmap: c.transferToImageBitmap(), scale, cell };
}

function paintCluster(canvas, ctx, f) {
  const pw = Math.round(f.w * f.dpr);
  const ph = Math.round(f.h * f.dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, pw, ph);
  if (!palette || f.w <= 0 || f.h <= 0 || f.dw <= 0 || f.dh <= 0) return;
  const s = Math.min(f.w / f.dw, f.h / f.dh);
  const ox = (f.w - f.dw * s) / 2;
  const oy = (f.h - f.dh * s) / 2;
  const user = () => ctx.setTransform(f.dpr * s, 0, 0, f.dpr * s, f.dpr * ox, f.dpr * oy);

  // Rings: x, y, r, share left, tone.
  user();
  ctx.globalAlpha = 0.55;
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  const rings = f.rings;
  for (let i = 0; i + 4 < rings.length; i += 5) {
    ctx.strokeStyle = palette.rings[rings[i + 4]] ?? palette.rings[0];
    ctx.beginPath();
    const start = -Math.PI / 2;
    ctx.arc(rings[i], rings[i + 1], rings[i + 2], start, start + 2 * Math.PI * rings[i + 3]);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;

  // Dots are stamped from a sprite sheet drawn once per scale and theme, at device
  // scale, so each is one copy without resampling. Dots: x, y, cell, alpha.
  const k = f.dpr * s;
  if (!sheet || sheet.scale !== k) sheet = drawSheet(k);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const c = sheet.cell;
  const dots = f.dots;
  for (let i = 0; i + 3 < dots.length; i += 4) {
    const alpha = dots[i + 3];
    if (alpha !== 1) ctx.globalAlpha = alpha;
    const x = Math.round(f.dpr * (ox + s * dots[i]) - c / 2);
    const y = Math.round(f.dpr * (oy + s * dots[i + 1]) - c / 2);
    ctx.drawImage(sheet.bitmap, dots[i + 2] * c, 0, c, c, x, y, c, c);
    if (alpha !== 1) ctx.globalAlpha = 1;
  }

  // Labels: x, y, pill width (0: none), class, dark ink (1) or white (0).
  const labels = f.labels;
  if (labels.length) {
    const texts = f.texts.split('\n');
    user();
    ctx.font = `700 ${f.font}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (let i = 0, j = 0; i + 4 < labels.length; i += 5, j++) {
      const [x, y, wide, cls, dark] = [labels[i], labels[i + 1], labels[i + 2], labels[i + 3], labels[i + 4]];
      if (wide > 0) {
        ctx.fillStyle = palette.byClass[cls];
        ctx.beginPath();
        ctx.roundRect(x - wide / 2, y - DOT_RADIUS, wide, 2 * DOT_RADIUS, DOT_RADIUS);
        ctx.fill();
      }
      ctx.fillStyle = dark ? palette.ink : '#fff';
      ctx.fillText(texts[j] ?? '', x, y + f.font * 0.36);
    }
  }
}

// Tiles by their first instant: { t0, arrows, marks, ticks, labels }.
const tiles = new Map();

// Arrows: x1, y1, x2, y2, class, flags (1 in flight, 2 dropped), relative to the tile.
// A tile holds those that arrived or died when it was last sent; the rest (in flight,
// or landed since) come with each frame (`live`, in plot units) until it is sent again.
const ARROW = 6;
// Marks: x, y, role (0 follower, 1 leader, 2 candidate, 3 pre-candidate, 4 crashed).
const MARK = 3;

// Each tile is drawn once into its own surface (again when it comes back with more
// arrows, or the scale or the theme changes); a frame then only copies the surfaces to
// where their tiles sit now. Redrawing every arrow every frame cost this thread more
// than the page saved on a 2-core laptop.
//
// Surfaces are kept and reused rather than made anew. Tiles come back several times a
// second (8 at 5 nodes, 30 at 25), and a fresh bitmap for each cost this thread 4 ms
// (5 nodes) to 15 ms (25 nodes) a tile; a kept surface is cleared and redrawn in a
// tenth of that. Copying a surface each frame costs more than copying a bitmap, but far
// less than the bitmaps did: the diagram's share of a frame went from 0.85 to 0.35 ms at
// 5 nodes and from 7 to 10 ms down to 4 to 5 ms at 25.
const spare = [];
const SPARE_MAX = 8;
const SURFACE_STEP = 128;

// A cleared surface at least `w` wide and exactly `h` high: `old` (the tile's last) if
// it is large enough, else a spare one, else a new one a little wider than asked, so
// that a tile growing by a few arrows still fits.
function surface(w, h, old) {
  if (old) retire(old);
  const i = spare.findIndex((s) => s.canvas.width >= w && s.canvas.height === h);
  let s = i >= 0 ? spare.splice(i, 1)[0] : null;
  if (!s) {
    const canvas = new OffscreenCanvas(Math.ceil(w / SURFACE_STEP) * SURFACE_STEP, h);
    s = { canvas, g: canvas.getContext('2d') };
  }
  s.g.setTransform(1, 0, 0, 1, 0, 0);
  s.g.clearRect(0, 0, s.canvas.width, s.canvas.height);
  return s;
}

function retire(s) {
  spare.push(s);
  if (spare.length > SPARE_MAX) spare.shift();
}

function drawTile(tile, kx, ky, height) {
  // Arrows reach past their tile's slice (to their delivery), tick labels past its
  // edges: the surface covers all of it, with a margin.
  let lo = 0;
  let hi = 0;
  const a = tile.arrows;
  for (let i = 0; i + ARROW - 1 < a.length; i += ARROW) {
    lo = Math.min(lo, a[i], a[i + 2]);
    hi = Math.max(hi, a[i], a[i + 2]);
  }
  for (const x of tile.ticks) hi = Math.max(hi, x);
  for (let i = 0; i < tile.marks.length; i += MARK) hi = Math.max(hi, tile.marks[i]);
  const margin = 30;
  const left = Math.floor((lo * kx) - margin);
  const w = Math.max(1, Math.ceil(hi * kx + margin) - left);
  const h = Math.max(1, Math.ceil(height * ky));
  const s = surface(w, h, tile.drawn?.surface);
  const g = s.g;
  const X = (x) => x * kx - left;

  g.lineWidth = 1;
  g.strokeStyle = palette.tick;
  g.fillStyle = palette.muted;
  g.font = `${10 * ky}px system-ui, sans-serif`;
  g.textAlign = 'center';
  tile.ticks.forEach((x, i) => {
    const px = Math.round(X(x)) + 0.5;
    g.globalAlpha = 0.6;
    g.beginPath();
    g.moveTo(px, 4 * ky);
    g.lineTo(px, (height - 14) * ky);
    g.stroke();
    g.globalAlpha = 1;
    g.fillText(tile.labels[i] ?? '', px, (height - 2) * ky);
  });

  drawArrows(g, a, X, kx, ky);

  // Role changes: a small bar on the node's lane in the role's colour.
  const m = tile.marks;
  for (let i = 0; i + MARK - 1 < m.length; i += MARK) {
    g.fillStyle = palette.roles[m[i + 2]] ?? palette.roles[0];
    g.beginPath();
    g.roundRect(X(m[i] - 3), (m[i + 1] - 9) * ky, 6 * kx, 18 * ky, 2 * kx);
    g.fill();
  }
  return { surface: s, w, h, left, key: `${kx}:${ky}:${height}:${paletteVersion}` };
}

// Draws arrows (the format above) on `g`, x through `X`, y scaled by `ky`.
function drawArrows(g, a, X, kx, ky) {
  // Arrows, one path per colour and dash, as the SVG did.
  for (const inFlight of [false, true]) {
    g.setLineDash(inFlight ? [4 * kx, 3 * kx] : []);
    for (let cls = 0; cls <= 9; cls++) {
      let any = false;
      g.beginPath();
      for (let i = 0; i + ARROW - 1 < a.length; i += ARROW) {
        const dropped = (a[i + 5] & 2) !== 0;
        const k = dropped ? 9 : a[i + 4];
        if (k !== cls || ((a[i + 5] & 1) !== 0) !== inFlight) continue;
        g.moveTo(X(a[i]), a[i + 1] * ky);
        g.lineTo(X(a[i + 2]), a[i + 3] * ky);
        any = true;
      }
      if (!any) continue;
      g.strokeStyle = cls === 9 ? palette.danger : palette.byClass[cls] ?? palette.muted;
      // Elections and appends stand out from heartbeats and replies.
      g.lineWidth = (cls <= 2 || cls === 4 ? 1.8 : 1.3) * ky;
      g.stroke();
    }
  }
  g.setLineDash([]);

  // Heads: a filled triangle where a message arrived, a cross where it died.
  for (let i = 0; i + ARROW - 1 < a.length; i += ARROW) {
    const flags = a[i + 5];
    if (flags & 1 && !(flags & 2)) continue;
    const x2 = X(a[i + 2]);
    const y2 = a[i + 3] * ky;
    if (flags & 2) {
      const r = 3.5 * ky;
      g.strokeStyle = palette.danger;
      g.lineWidth = 2 * ky;
      g.beginPath();
      g.moveTo(x2 - r, y2 - r);
      g.lineTo(x2 + r, y2 + r);
      g.moveTo(x2 + r, y2 - r);
      g.lineTo(x2 - r, y2 + r);
      g.stroke();
      continue;
    }
    const dx = x2 - X(a[i]);
    const dy = y2 - a[i + 1] * ky;
    const len = Math.max(Math.hypot(dx, dy), 1);
    const [ux, uy] = [dx / len, dy / len];
    const [bx, by] = [x2 - ux * 6 * ky, y2 - uy * 6 * ky];
    const w2 = 2.6 * ky;
    g.fillStyle = palette.byClass[a[i + 4]] ?? palette.muted;
    g.beginPath();
    g.moveTo(x2, y2);
    g.lineTo(bx - uy * w2, by + ux * w2);
    g.lineTo(bx + uy * w2, by - ux * w2);
    g.fill();
  }
}

let paletteVersion = 0;

function paintDiagram(canvas, ctx, f) {
  const pw = Math.round(f.w * f.dpr);
  const ph = Math.round(f.h * f.dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, pw, ph);
  if (!palette || f.w <= 0 || f.h <= 0 || f.plotW <= 0 || f.height <= 0) return;
  const kx = (f.w / f.plotW) * f.dpr;
  const ky = (f.h / f.height) * f.dpr;
  const key = `${kx}:${ky}:${f.height}:${paletteVersion}`;
  for (const t0 of f.tiles) {
    const tile = tiles.get(t0);
    if (!tile) continue;
    if (!tile.drawn || tile.drawn.key !== key) tile.drawn = drawTile(tile, kx, ky, f.height);
    const d = tile.drawn;
    const x = Math.round((tile.t0 - f.start) * f.scale * kx) + d.left;
    ctx.drawImage(d.surface.canvas, 0, 0, d.w, d.h, x, 0, d.w, d.h);
  }
  // Arrows in flight grow every frame, so they are drawn here rather than into their
  // tile, as are those that landed since the tile was last sent.
  if (f.live?.length) drawArrows(ctx, f.live, (x) => x * kx, kx, ky);
  // The "now" line, here rather than in the SVG so that it moves with the arrows in
  // the same frame (early on it moves; later it stays at the right edge).
  if (typeof f.nowX === 'number') {
    const width = 2 * ky;
    const x = Math.min(f.nowX * kx, pw - width / 2);
    ctx.fillStyle = palette.accent ?? palette.ink;
    ctx.fillRect(x - width / 2, 0, width, (f.height - 14) * ky);
  }
}

// Frames arrive once per page frame; if painting falls behind, only the newest one
// is painted.
let pending = null;
let scheduled = false;
function flush() {
  scheduled = false;
  const f = pending;
  pending = null;
  if (!f) return;
  // `cluster`, and `cluster1`.. for the columns of a side-by-side comparison.
  for (const kind of Object.keys(canvases)) {
    const c = canvases[kind];
    if (kind.startsWith('cluster') && f[kind]) paintCluster(c.canvas, c.ctx, f[kind]);
  }
  const diagram = canvases.diagram;
  if (f.diagram && diagram) paintDiagram(diagram.canvas, diagram.ctx, f.diagram);
}

onmessage = (e) => {
  handle(e.data);
  if (!scheduled) {
    scheduled = true;
    setTimeout(flush, 0);
  }
};

function handle(m) {
  if (m.type === 'init') {
    canvases[m.kind] = { canvas: m.canvas, ctx: m.canvas.getContext('2d') };
    if (m.kind === 'diagram') forgetTiles(new Set());
  } else if (m.type === 'palette') {
    palette = m.palette;
    paletteVersion++;
    sheet = null;
  } else if (m.type === 'tile') {
    // The tile's surface is redrawn with what it holds now.
    const drawn = tiles.get(m.t0)?.drawn;
    if (drawn) drawn.key = null;
    tiles.set(m.t0, { t0: m.t0, drawn, arrows: m.arrows, marks: m.marks, ticks: m.ticks, labels: m.labels ? m.labels.split('\n') : [] });
  } else if (m.type === 'frame') {
    // New tiles come with the frame that first shows them.
    for (const x of m.messages ?? []) handle(x);
    // Tiles no longer in view are forgotten.
    if (m.diagram) forgetTiles(new Set(m.diagram.tiles));
    // A part not in this frame keeps the last one's (nothing of it moved).
    const next = { ...pending };
    for (const [k, v] of Object.entries(m)) if (k !== 'type' && k !== 'messages' && v) next[k] = v;
    pending = next;
  }
}

function forgetTiles(keep) {
  for (const [t0, tile] of tiles) {
    if (!keep.has(t0)) {
      if (tile.drawn) retire(tile.drawn.surface);
      tiles.delete(t0);
    }
  }
}
