import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prometheusBinary } from './binaries.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const RULES = 'alerts/resilient-store.rules.yml';
const TESTS = 'test/promtool/resilient-store.rules.test.yml';
const RUNBOOK = fileURLToPath(new URL('../../../docs/runbook.md', import.meta.url));

const rules = readFileSync(new URL(`../${RULES}`, import.meta.url), 'utf8');
const alertNames = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!);

async function promtool(...args: string[]): Promise<string> {
  const binary = prometheusBinary('promtool');
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: packageDir });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

describe('alert rules', () => {
  it('pass promtool check rules', async () => {
    expect(alertNames.length).toBeGreaterThanOrEqual(5);
    expect(await promtool('check', 'rules', RULES)).toContain(
      `SUCCESS: ${alertNames.length} rules found`,
    );
  });

  it('pass their promtool unit tests', async () => {
    expect(await promtool('test', 'rules', TESTS)).toContain('SUCCESS');
  });

  it('each have a unit test that fires and one that must not', () => {
    const tests = readFileSync(new URL(`../${TESTS}`, import.meta.url), 'utf8');
    for (const alert of alertNames) {
      const fires = new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`);
      const silent = new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`);
      expect(tests, `${alert} has a case that fires`).toMatch(fires);
      expect(tests, `${alert} has a case that must not fire`).toMatch(silent);
    }
  });

  it('each have a runbook section their runbook_url points to', () => {
    const runbook = readFileSync(RUNBOOK, 'utf8');
    for (const alert of alertNames) {
      expect(runbook, `docs/runbook.md has a section for ${alert}`).toContain(`\n## ${alert}\n`);
      expect(rules).toContain(`runbook_url: 'docs/runbook.md#${alert.toLowerCase()}'`);
      for (const part of ['What it means', 'What users see', 'What to check', 'How to recover']) {
        const section = runbook.split(`\n## ${alert}\n`)[1]!.split('\n## ')[0]!;
        expect(section, `${alert}: ${part}`).toContain(`**${part}**`);
      }
    }
  });
});
