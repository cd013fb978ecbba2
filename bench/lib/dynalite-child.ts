import { startDynalite } from '../../shared/local/dynalite-server.ts';

/**
 * Runs an in-memory dynalite (shared/local/dynalite-server.ts) in its own process, so that on a
 * two-core machine the loader and dynalite each get a core. Prints the endpoint, then serves
 * until its parent closes stdin or goes away.
 */
const dynamo = await startDynalite();
process.stdout.write(`${dynamo.endpoint}\n`);
const stop = () => dynamo.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('disconnect', stop);
