import {
  describeBackendConformance,
  type PostgresServer,
  startPostgres,
} from '@resilient-store/testkit';
import { afterAll, beforeAll } from 'vitest';
import { postgresBackend } from '../src/index.js';
import { untilAvailable } from './helpers.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

async function connected(options: Parameters<typeof postgresBackend>[1] = {}) {
  const backend = postgresBackend({ connectionString: server.url }, options);
  await untilAvailable(backend.availability);
  return backend;
}

describeBackendConformance('postgres', () => connected(), {
  ttlResolutionMs: 1,
  conditionalWrites: true,
});

describeBackendConformance(
  'postgres, UNLOGGED table in its own schema',
  () => connected({ schema: 'cache', table: 'Entries', unlogged: true }),
  { ttlResolutionMs: 1, conditionalWrites: true },
);
