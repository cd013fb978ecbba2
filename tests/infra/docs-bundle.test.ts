/**
 * The API function as Lambda runs it: bundled as DatelineFunction bundles it (bundleFunction, in
 * chunks, Swagger UI's files copied into its node_modules) and invoked in a fresh node process as
 * API Gateway invokes it. It serves /docs, with Swagger UI's files read from disk on the first
 * request (they stay out of the JavaScript), and validates from its lazily loaded chunks.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, repoRoot } from '../../infra/constructs/function-bundle.ts';
import { SWAGGER_UI_FILES, SWAGGER_UI_PACKAGE } from '../../shared/http/docs-assets.ts';
import getEvents from '../fixtures/apigw-get-events.json' with { type: 'json' };

const run = promisify(execFile);
let outdir: string;

const lambdaEnvironment = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'dateline-docs-bundle-test',
  DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/delivery',
  DIGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/digest-continuations',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf',
  MAIL_FROM: 'alerts@example.com',
  PUBLIC_URL: 'https://dateline.example.org',
  METRICS_NAMESPACE: 'Dateline',
  LOG_LEVEL: 'error',
};

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'dateline-docs-bundle-'));
  bundleFunction('api.ts', outdir, { [SWAGGER_UI_PACKAGE]: SWAGGER_UI_FILES });
}, 60_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

/** Invokes the bundled handler in a fresh node process with GET `path`; returns what API Gateway would get. */
async function invoke(path: string, headers: Record<string, string> = {}, query = '') {
  const event = {
    ...getEvents,
    rawPath: path,
    rawQueryString: query,
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    headers: { ...getEvents.headers, 'accept-encoding': '', ...headers },
    requestContext: { ...getEvents.requestContext, http: { ...getEvents.requestContext.http, path } },
  };
  const url = pathToFileURL(join(outdir, 'index.mjs')).href;
  const script = `const { handler } = await import(${JSON.stringify(url)});
const result = await handler(${JSON.stringify(event)}, {});
process.stdout.write(JSON.stringify(result));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
    env: { PATH: process.env.PATH, ...lambdaEnvironment },
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded: boolean;
  };
}

describe('the API bundle and /docs', () => {
  it('serves the docs page with its CSP', async () => {
    const result = await invoke('/docs');
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-security-policy']).toContain("script-src 'self'");
    expect(result.body).toContain('/docs/assets/swagger-ui-bundle.js');
    // Its icon is the site's, served from the same bundle.
    const icon = await invoke('/favicon.ico');
    expect(icon).toMatchObject({ statusCode: 200, headers: { 'content-type': 'image/svg+xml' } });
  });

  it('validates from its chunks with zod’s English messages (the locale is set before any schema parses)', async () => {
    const result = await invoke('/v1/events', {}, 'order=sideways');
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(result.body) as { errors: { path: string; message: string }[] };
    // Without the locale, zod/mini says only "Invalid input".
    expect(problem.errors).toEqual([
      { path: 'query.order', message: 'Invalid option: expected one of "asc"|"desc"' },
    ]);
  });

  it('serves Swagger UI from the files copied beside the bundle, byte for byte', async () => {
    const installed = await readFile(
      join(repoRoot, 'node_modules', SWAGGER_UI_PACKAGE, 'swagger-ui-bundle.js'),
      'utf8',
    );
    const result = await invoke('/docs/assets/swagger-ui-bundle.js');
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(result.body === installed).toBe(true);
  });

  it('gzips the bundle for a client that accepts it (base64 through API Gateway)', async () => {
    const result = await invoke('/docs/assets/swagger-ui-bundle.js', { 'accept-encoding': 'gzip' });
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    expect(result.headers['content-encoding']).toBe('gzip');
    // Under API Gateway's 6 MB response limit with room to spare.
    expect(result.body.length).toBeLessThan(1_000_000);
  });

  it('keeps Swagger UI out of the bundle’s JavaScript (read from node_modules on the first /docs request)', async () => {
    const files = (await readdir(outdir, { recursive: true })).filter(
      (file) => file.endsWith('.mjs') && !file.startsWith('node_modules'),
    );
    expect(files).toContain('index.mjs');
    for (const file of files) {
      const code = await readFile(join(outdir, file), 'utf8');
      expect(code).not.toContain('webpackUniversalModuleDefinition');
      expect(code).not.toContain('swagger-ui-bundle.js.LICENSE.txt');
    }
  });
});
