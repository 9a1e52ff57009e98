/**
 * Value checks of dataset arrays, beyond what checksums and shapes can see: every number finite, every action in
 * [−1, 1] (spec §4: a ∈ [−1, 1]^d; OMAR and our generator clip), and, as a warning, the episode structure the layout
 * promises (spec §3.1: episode-contiguous fixed-length episodes, e.g. 25 steps in MPE). Bad values are errors: a NaN in
 * the data would otherwise surface as a "diverged" algorithm. Each check is one pass over a Float32Array.
 */
import type { Source } from './layout.ts';

/** How far outside [−1, 1] a stored action may lie (float rounding of clipped values, float64 → float32). */
export const ACTION_TOLERANCE = 1e-4;

/**
 * What is wrong with the values of one array, or undefined: the first bad value by row and column (counted from 0) and
 * how many there are. `width` is the number of columns (1 for rews and dones).
 */
export function valueProblem(source: Source, data: Float32Array, width: number): string | undefined {
  // One comparison per value: NaN fails every comparison and ±Infinity exceeds any finite limit (float32 values never
  // exceed Number.MAX_VALUE).
  const limit = source === 'acs' ? 1 + ACTION_TOLERANCE : Number.MAX_VALUE;
  let first = -1;
  let count = 0;
  for (let k = 0; k < data.length; k++) {
    if (!(Math.abs(data[k]) <= limit)) {
      if (first < 0) first = k;
      count++;
    }
  }
  if (first < 0) return undefined;
  const value = data[first];
  const where = `row ${Math.floor(first / width)}, column ${first % width} (from 0)`;
  const what = Number.isFinite(value) ? `${value}, outside the action range [−1, 1] (tolerance ${ACTION_TOLERANCE})` : String(value);
  const kind = source === 'acs' ? 'non-finite or out-of-range value' : 'non-finite value';
  return `${where} is ${what}; ${count} ${kind}${count === 1 ? '' : 's'} in the file`;
}

/**
 * What is odd about one agent's `dones` for episodes of `episodeLength` rows, or undefined. All zeros is our layout (a
 * time limit is not a terminal, spec §3.1); a layout that marks episode ends must mark exactly the last row of every
 * whole episode. Also flags values other than 0 and 1.
 */
export function donesWarning(dones: Float32Array, episodeLength: number): string | undefined {
  const rows = dones.length;
  let marked = 0;
  let markedEnds = 0;
  let firstStray = -1;
  for (let r = 0; r < rows; r++) {
    const d = dones[r];
    if (d !== 0 && d !== 1) return `row ${r} is ${d}; dones are 0 or 1`;
    if (d === 0) continue;
    marked++;
    if (r % episodeLength === episodeLength - 1) markedEnds++;
    else if (firstStray < 0) firstStray = r;
  }
  const wholeEpisodes = Math.floor(rows / episodeLength);
  if (firstStray >= 0) return `row ${firstStray} is 1 inside a ${episodeLength}-step episode (episodes end at rows ${episodeLength - 1}, ${2 * episodeLength - 1}, …)`;
  if (marked > 0 && markedEnds < wholeEpisodes) return `marks ${markedEnds} of ${wholeEpisodes} episode ends (rows ${episodeLength - 1}, ${2 * episodeLength - 1}, …); a layout that marks them marks all`;
  return undefined;
}

/** A partial episode at the end of `rows` episode-contiguous rows, or undefined. */
export function partialEpisodeWarning(rows: number, episodeLength: number): string | undefined {
  const tail = rows % episodeLength;
  return tail === 0 ? undefined : `${rows} rows are not whole ${episodeLength}-step episodes: the last ${tail} rows are a partial episode`;
}
