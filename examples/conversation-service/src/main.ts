/**
 * `pnpm start`: the conversation service on PORT (default 3000), configured from the
 * environment (see config.ts). Stops cleanly on SIGINT/SIGTERM.
 */
import { readConfig, ServiceConfigError } from './config.js';
import { buildService } from './service.js';

async function main(): Promise<void> {
  const service = await buildService({ config: readConfig() });
  const url = await service.listen();
  service.app.log.info(`conversation service listening on ${url}; status page at ${url}/`);
  const stop = () => {
    service.app.log.info('shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        service.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ServiceConfigError) {
    console.error(`conversation service: ${error.message}`);
  } else {
    console.error('conversation service failed to start:', error);
  }
  process.exit(1);
});
