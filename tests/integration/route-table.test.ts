/**
 * The route table (shared/http/route-table.ts) names each group's routes so the app can route them
 * before the group's code loads. It must say what the groups register: /openapi.json loads every
 * group, and a group registering anything else would fail that load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_TABLE } from '../../shared/http/route-table.ts';
import { type AlertStack, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack.close();
});

describe('the route table', () => {
  it('names exactly the operations the API document lists, each once', async () => {
    const response = await stack.app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const named: string[] = Object.values(ROUTE_TABLE).flat();
    expect(new Set(named).size).toBe(named.length);
    expect([...documented].sort()).toEqual([...named].sort());
  });
});
