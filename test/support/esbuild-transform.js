// Jest transformer: TypeScript to CommonJS with esbuild (already the render path's bundler), no type check —
// `tsc` checks types once, before jest, in `npm test`. Much faster than ts-jest's per-file TypeScript program.
const { transformSync } = require('esbuild');
const { createHash } = require('node:crypto');
const { version } = require('esbuild/package.json');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      sourcesContent: false,
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(`${version}\0${filename}\0${source}`).digest('hex');
  },
};
