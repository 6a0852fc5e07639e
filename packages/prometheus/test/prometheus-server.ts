import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@resilient-store/testkit';
import { prometheusBinary } from './binaries.js';

export interface PrometheusOptions {
  /** host:port targets scraped at /metrics. */
  targets: string[];
  /** Rule file contents, loaded as rules.yml. */
  rules: string;
  /** Scrape and rule evaluation interval. */
  interval: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

/** A real Prometheus server (the distribution's binary) on a free loopback port, with its own data directory. */
export class PrometheusServer {
  private log = '';

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-8_000);
    });
  }

  static async start(options: PrometheusOptions): Promise<PrometheusServer> {
    const binary = prometheusBinary('prometheus');
    const dir = await mkdtemp(join(tmpdir(), 'rs-prometheus-'));
    await writeFile(join(dir, 'rules.yml'), options.rules);
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        `  scrape_interval: ${options.interval}`,
        `  evaluation_interval: ${options.interval}`,
        'rule_files:',
        `  - ${join(dir, 'rules.yml')}`,
        'scrape_configs:',
        '  - job_name: app',
        `    scrape_timeout: ${options.interval}`,
        '    static_configs:',
        `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    // Another process may take the free port before Prometheus binds it: try a few.
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const child = spawn(
        binary,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir);
      try {
        await server.waitReady(20_000);
        return server;
      } catch (error) {
        lastError = error as Error;
        await server.terminate();
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError ?? new Error('prometheus did not start');
  }

  /** Runs an instant query; throws on a PromQL error. */
  async query(expr: string): Promise<PromSample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: PromSample[] };
    };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data?.result ?? [];
  }

  /** The single value of `expr`, or undefined when it has no result. */
  async value(expr: string): Promise<number | undefined> {
    const result = await this.query(expr);
    if (result.length > 1) throw new Error(`${expr} has ${result.length} series`);
    return result[0] === undefined ? undefined : Number(result[0].value[1]);
  }

  async alerts(): Promise<PromAlert[]> {
    const response = await fetch(`${this.url}/api/v1/alerts`);
    const body = (await response.json()) as { data: { alerts: PromAlert[] } };
    return body.data.alerts;
  }

  async stop(): Promise<void> {
    await this.terminate();
    await rm(this.dir, { recursive: true, force: true });
  }

  logTail(): string {
    return this.log;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`prometheus exited with ${this.child.exitCode}:\n${this.log}`);
      }
      try {
        const response = await fetch(`${this.url}/-/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus not ready within ${timeoutMs} ms:\n${this.log}`);
  }

  private terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      this.child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}
