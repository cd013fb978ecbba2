/**
 * The libraries the feed renderers use, loaded at run time by name. An import of a name esbuild
 * cannot read is left out of the bundle, so the API function's bundle does not carry them (~80 KB
 * that V8 would parse on every cold start for routes most instances never serve); the function's
 * build copies these files into the bundle's own node_modules (DatelineFunction `packageFiles`),
 * where Node resolves them as it does from source.
 */
export const FEED_PACKAGE_FILES = {
  feed: ['package.json', 'LICENSE', 'lib/feed.js'],
  'xml-js': [
    'package.json',
    'LICENSE',
    'lib/index.js',
    'lib/array-helper.js',
    'lib/options-helper.js',
    'lib/js2xml.js',
    'lib/json2xml.js',
    'lib/xml2js.js',
    'lib/xml2json.js',
  ],
  sax: ['package.json', 'LICENSE.md', 'lib/sax.js'],
  'ical-generator': ['package.json', 'LICENSE', 'dist/index.js'],
} as const satisfies Record<string, readonly string[]>;

/** The packages a renderer imports itself (the others are theirs). */
type RendererPackage = 'feed' | 'ical-generator';

/** Imports a package by a name the bundler does not follow (see above). */
export function importPackage<T>(name: RendererPackage): Promise<T> {
  return import(name) as Promise<T>;
}
