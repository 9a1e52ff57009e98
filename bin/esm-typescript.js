/**
 * Loader hook, run before tsx's own: every TypeScript file loads as an ES module, wherever it lives. tsx would load a
 * `.ts` file in a folder without a `package.json` of `"type": "module"` as CommonJS, and CommonJS cannot import the
 * harness (some of its dependencies use top-level await), so a plugin kept in a bare folder would fail to load.
 */
const TYPESCRIPT = /\.(?:ts|tsx|mts)$/;
/** The markers tsx adds to a URL it means to load as CommonJS (`?` possibly percent-encoded). */
const COMMONJS_MARKERS = /(?:%3F|[?&])tsx-commonjs-[\w-]+=1/g;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (!result.url.startsWith('file:') || !result.format?.startsWith('commonjs')) return result;
  let url = result.url.replace(COMMONJS_MARKERS, '');
  if (!url.includes('?')) url = url.replace('&', '?');
  return TYPESCRIPT.test(new URL(url).pathname) ? { ...result, url, format: 'module-typescript' } : result;
}
