/**
 * One recorded episode as an animated SVG, the report's episode viewer: the scenes `Environment.scene` drew at every step
 * (discs and segments, world y up) with trails behind movable discs, a floor with metre ticks under a runner, and below
 * it a step counter, a play/pause button and a step slider. Episodes drawn side by side share one framing (same start
 * seed, same arena), so they compare at a glance. The SVG as written shows the last step with the whole trail
 * (a still that needs no script); `EPISODE_PLAYER_JS`, inlined once per page, animates every viewer from the frames stored
 * beside it. Nothing is fetched: the page works opened from disk.
 */
import type { Scene, SceneShape } from '../../contracts/types.ts';
import { escapeHtml } from './table.ts';

/** A recorded episode to draw. */
export interface EpisodeClip {
  /** Shown above the viewer, e.g. the algorithm. */
  title: string;
  /** One line under it, e.g. the return and where the weights came from. */
  caption: string;
  /** Step 0 (the reset) to the last step; every scene lists the same shapes. */
  scenes: Scene[];
}

/** Colour of each shape kind `Environment.scene` uses; an unknown kind is drawn grey. */
const COLOURS: Record<string, string> = {
  agent: '#1f77b4',
  landmark: '#333333',
  predator: '#d62728',
  prey: '#2ca02c',
  obstacle: '#7f7f7f',
  food: '#17becf',
  forest: '#98df8a',
  torso: '#8c564b',
  'back-leg': '#1f77b4',
  'front-leg': '#ff7f0e',
};
const colourOf = (kind: string) => COLOURS[kind] ?? '#999999';
/** Width on screen of an arena (fixed view), and pixels per metre of a runner's view. */
const ARENA_PIXELS = 300;
const PIXELS_PER_UNIT = 110;
const MARGIN = 0.1;
/** Horizontal room around a runner's body in the following view (world units). */
const FOLLOW_ROOM = 1.5;
const TRAIL_WIDTH = 0.025;

/** Three decimals (a millimetre at world scale) keep the frames small; SVG y grows downwards, so y is negated. */
const r3 = (v: number) => Math.round(v * 1000) / 1000;

function coordinates(shape: SceneShape): number[] {
  return shape.type === 'circle' ? [r3(shape.x), r3(-shape.y)] : [r3(shape.x1), r3(-shape.y1), r3(shape.x2), r3(-shape.y2)];
}

/** [minX, maxX, minY, maxY] of a scene's ink, in SVG coordinates. */
function extent(scene: Scene): [number, number, number, number] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of scene.shapes) {
    const pad = s.type === 'circle' ? s.r : s.width / 2;
    const points = s.type === 'circle' ? [[s.x, s.y]] : [[s.x1, s.y1], [s.x2, s.y2]];
    for (const [x, y] of points) xs.push(x - pad, x + pad), ys.push(-y - pad, -y + pad);
  }
  return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
}

interface Camera {
  /** viewBox width and height, and the y of its top edge (fixed for the episode). */
  width: number;
  height: number;
  top: number;
  /** The viewBox's left edge at every step, per episode. */
  left: number[][];
  /** Width on screen, px. */
  pixels: number;
}

/**
 * One framing for episodes shown side by side: `fixed` frames everything any of them reaches; `follow` keeps the
 * height of the highest jump and the floor, and a width that holds the body, centred on it at every step.
 */
function sharedCamera(episodes: Scene[][]): Camera {
  const extents = episodes.map((scenes) => scenes.map(extent));
  const all = extents.flat();
  const mode = episodes[0][0].camera;
  const top = Math.min(...all.map((e) => e[2])) - MARGIN;
  const floor = mode.mode === 'follow' ? -mode.floor + 0.2 : -Infinity; // room for the tick labels under the floor
  const height = Math.max(...all.map((e) => e[3]), floor) + MARGIN - top;
  if (mode.mode === 'fixed') {
    const left = Math.min(...all.map((e) => e[0])) - MARGIN;
    const width = Math.max(...all.map((e) => e[1])) + MARGIN - left;
    return { width, height, top, left: extents.map((steps) => steps.map(() => left)), pixels: ARENA_PIXELS };
  }
  const width = Math.max(...all.map((e) => e[1] - e[0])) + 2 * FOLLOW_ROOM;
  const left = extents.map((steps) => steps.map((e) => r3((e[0] + e[1]) / 2 - width / 2)));
  return { width, height, top, left, pixels: Math.round(width * PIXELS_PER_UNIT) };
}

/** The floor line and a tick with its distance every metre along everything the runner covers. */
function floorMarkup(floor: number, left: number[], width: number): string {
  const from = Math.floor(Math.min(...left)) - 1;
  const to = Math.ceil(Math.max(...left) + width) + 1;
  const y = -floor;
  const ticks: string[] = [];
  for (let x = from; x <= to; x++) {
    ticks.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${r3(y + 0.06)}"/><text x="${x}" y="${r3(y + 0.17)}">${x} m</text>`);
  }
  return `<g class="floor"><line x1="${from}" y1="${y}" x2="${to}" y2="${y}"/>${ticks.join('')}</g>`;
}

function shapeMarkup(shape: SceneShape, k: number, at: number[]): string {
  const colour = colourOf(shape.kind);
  if (shape.type === 'circle') {
    return `<circle class="shape ${escapeHtml(shape.kind)}" data-shape="${k}" cx="${at[0]}" cy="${at[1]}" r="${r3(shape.r)}" fill="${colour}"/>`;
  }
  const width = r3(shape.width);
  return `<line class="shape ${escapeHtml(shape.kind)}" data-shape="${k}" x1="${at[0]}" y1="${at[1]}" x2="${at[2]}" y2="${at[3]}" stroke="${colour}" stroke-width="${width}" stroke-linecap="round"/>`;
}

/**
 * The viewers of episodes shown side by side (the same task, so the same kind of scene), one framing for all: a
 * `<figure class="episode">` each, holding the SVG, its controls and its frames.
 */
export function episodeFigures(clips: readonly EpisodeClip[]): string[] {
  if (clips.length === 0) return [];
  const camera = sharedCamera(clips.map((clip) => clip.scenes));
  return clips.map((clip, k) => episodeFigure(clip, camera, camera.left[k]));
}

function episodeFigure(clip: EpisodeClip, camera: Camera, left: number[]): string {
  const { scenes } = clip;
  const shapes = scenes[0].shapes;
  const frames = scenes.map((scene) => scene.shapes.flatMap(coordinates));
  const offsets = shapes.map((_, k) => shapes.slice(0, k).reduce((sum, s) => sum + (s.type === 'circle' ? 2 : 4), 0));
  const last = frames.length - 1;
  const trails = shapes.flatMap((shape, k) => {
    if (shape.type !== 'circle' || !shape.trail) return [];
    const points = frames.map((f) => `${f[offsets[k]]},${f[offsets[k] + 1]}`).join(' ');
    return [`<polyline class="trail" data-shape="${k}" points="${points}" stroke="${colourOf(shape.kind)}" stroke-width="${TRAIL_WIDTH}"/>`];
  });
  const mode = scenes[0].camera;
  const viewBox = [left[last], camera.top, camera.width, camera.height].map(r3).join(' ');
  const size = `width="${camera.pixels}" height="${Math.round((camera.pixels * camera.height) / camera.width)}"`;
  const svg = [
    `<svg viewBox="${viewBox}" ${size} role="img" aria-label="${escapeHtml(clip.title)}: episode of ${last} steps">`,
    mode.mode === 'follow' ? floorMarkup(mode.floor, left, camera.width) : '',
    ...trails,
    ...shapes.map((shape, k) => shapeMarkup(shape, k, frames[last].slice(offsets[k]))),
    '</svg>',
  ].join('');
  const data = {
    stepMs: Math.round(scenes[0].stepSeconds * 1000),
    offsets,
    circles: shapes.map((s) => s.type === 'circle'),
    left: mode.mode === 'follow' ? left : undefined,
    frames,
  };
  const kinds = [...new Set(shapes.map((s) => s.kind))];
  const legend = kinds.map((kind) => `<span class="key"><span class="swatch" style="background:${colourOf(kind)}"></span>${escapeHtml(kind)}</span>`).join(' ');
  return [
    `<figure class="episode" data-steps="${last}">`,
    `<figcaption><strong>${escapeHtml(clip.title)}</strong><br>${escapeHtml(clip.caption)}</figcaption>`,
    svg,
    `<div class="controls"><button type="button" class="play">▶ play</button> <input class="seek" type="range" min="0" max="${last}" value="${last}" aria-label="step"> <span class="step">step ${last} / ${last}</span></div>`,
    `<div class="legend">${legend}</div>`,
    // numbers only, but `<` is escaped anyway so nothing in the data can end the script element
    `<script type="application/json" class="frames">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`,
    '</figure>',
  ].join('\n');
}

/** A viewer slot with nothing to play, saying why. */
export function missingEpisodeFigure(title: string, reason: string): string {
  return `<figure class="episode missing"><figcaption><strong>${escapeHtml(title)}</strong></figcaption><p class="note">${escapeHtml(reason)}</p></figure>`;
}

/**
 * Plays every `figure.episode` of the page: each starts at step 0 and loops in real time (a step lasts `stepSeconds`);
 * the button pauses and resumes, the slider shows any step (and pauses). Plain DOM, no library.
 */
export const EPISODE_PLAYER_JS = `
for (const figure of document.querySelectorAll('figure.episode[data-steps]')) {
  const data = JSON.parse(figure.querySelector('script.frames').textContent);
  const svg = figure.querySelector('svg');
  const shapes = [...svg.querySelectorAll('.shape')];
  const trails = [...svg.querySelectorAll('.trail')];
  const button = figure.querySelector('button.play');
  const slider = figure.querySelector('input.seek');
  const counter = figure.querySelector('.step');
  const last = data.frames.length - 1;
  let step = 0;
  let timer = null;
  const show = (t) => {
    step = t;
    const frame = data.frames[t];
    shapes.forEach((shape, k) => {
      const o = data.offsets[k];
      const names = data.circles[k] ? ['cx', 'cy'] : ['x1', 'y1', 'x2', 'y2'];
      names.forEach((name, j) => shape.setAttribute(name, frame[o + j]));
    });
    for (const trail of trails) {
      const o = data.offsets[Number(trail.dataset.shape)];
      trail.setAttribute('points', data.frames.slice(0, t + 1).map((f) => f[o] + ',' + f[o + 1]).join(' '));
    }
    if (data.left) svg.viewBox.baseVal.x = data.left[t];
    slider.value = String(t);
    counter.textContent = 'step ' + t + ' / ' + last;
  };
  const pause = () => {
    clearInterval(timer);
    timer = null;
    button.textContent = '▶ play';
  };
  const play = () => {
    timer = setInterval(() => show(step >= last ? 0 : step + 1), data.stepMs);
    button.textContent = '❚❚ pause';
  };
  button.addEventListener('click', () => (timer ? pause() : play()));
  slider.addEventListener('input', () => {
    pause();
    show(Number(slider.value));
  });
  show(0);
  play();
}
`;
