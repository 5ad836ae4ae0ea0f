// Paints the messages in flight and the election-timer rings on the cluster's canvas,
// off the page's main thread.
//
// The page transfers its canvas here (transferControlToOffscreen) and posts one frame
// of plain numbers per animation frame; everything it draws is decided by the app
// (src/web/message_layer.rs): positions, sprites, label pills and colours. Painting on
// the main thread cost about 2 ms a frame at 25 nodes, the clear and copy of the whole
// bitmap plus a blit per dot, which at 4x CPU throttle was a quarter of the frame.
'use strict';

const DOT_RADIUS = 9;
const DYING = 9;
const HELD = 10;

let canvas = null;
let ctx = null;
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

function paint(f) {
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

// Frames arrive once per page frame; if painting falls behind, only the newest one
// is painted.
let pending = null;
let scheduled = false;
function flush() {
  scheduled = false;
  if (pending && ctx) paint(pending);
  pending = null;
}

onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') {
    canvas = m.canvas;
    ctx = canvas.getContext('2d');
  } else if (m.type === 'palette') {
    palette = m.palette;
    sheet = null;
  } else if (m.type === 'frame') {
    pending = m;
  }
  if (!scheduled) {
    scheduled = true;
    setTimeout(flush, 0);
  }
};
