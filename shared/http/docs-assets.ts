import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

/**
 * Swagger UI's files, served by the app from the installed `swagger-ui-dist` package: never a CDN
 * (a deployment may be offline, and the docs page's CSP allows scripts from itself only).
 * Run from source, the package is the one in node_modules; in the Lambda bundle, the api function's
 * build copies these files into the bundle's own node_modules (DatelineFunction `packageFiles`),
 * where the same resolution finds them. Files are read on their first request, never at start.
 */
export const SWAGGER_UI_PACKAGE = 'swagger-ui-dist';

/** What the docs page serves, and the function bundle carries (its licence beside it). */
export const SWAGGER_UI_FILES = [
  'package.json',
  'LICENSE',
  'NOTICE',
  'swagger-ui-bundle.js',
  'swagger-ui.css',
] as const;

const CONTENT_TYPES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

export interface DocsAsset {
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /** The body gzipped, for clients that accept it (the bundle is 1.7 MB, 0.5 MB gzipped); none for images. */
  gzipped?: Uint8Array<ArrayBuffer>;
  etag: string;
}

const gzipAsync = promisify(gzip);
const loaded = new Map<string, Promise<DocsAsset>>();
let packageDir: string | undefined;

/** The package's folder, as Node resolves it from this module (or from the bundle). */
function swaggerUiDir(): string {
  packageDir ??= dirname(createRequire(import.meta.url).resolve(`${SWAGGER_UI_PACKAGE}/package.json`));
  return packageDir;
}

/** The asset of that name, or undefined when the docs page does not serve it. */
export function docsAsset(name: string): Promise<DocsAsset> | undefined {
  const contentType = CONTENT_TYPES[name];
  if (!contentType) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = load(name, contentType);
    // A failed read is not kept: the next request tries again.
    asset.catch(() => loaded.delete(name));
    loaded.set(name, asset);
  }
  return asset;
}

async function load(name: string, contentType: string): Promise<DocsAsset> {
  const dir = swaggerUiDir();
  const [body, manifest] = await Promise.all([
    readFile(join(dir, name)),
    readFile(join(dir, 'package.json'), 'utf8'),
  ]);
  const version = (JSON.parse(manifest) as { version: string }).version;
  return {
    contentType,
    body: new Uint8Array(body),
    ...(contentType.startsWith('image/') ? {} : { gzipped: new Uint8Array(await gzipAsync(body)) }),
    etag: `"${SWAGGER_UI_PACKAGE}-${version}-${name}"`,
  };
}
