import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary } from './binaries.js';
import { ServerStartError } from './errors.js';

/** A PEM certificate and its private key. */
export interface TestCertificate {
  /** The certificate; a client trusts the server by passing it as `ca`. */
  readonly cert: string;
  readonly key: string;
}

/** The names the certificate is valid for: every address a local or container server has here. */
const SUBJECT_ALT_NAMES = 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost';

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost, made by the openssl binary.
 * A new one per server keeps tests independent: trusting one server's certificate never
 * makes another server trusted, which is what a "wrong CA" test relies on.
 */
export async function createTestCertificate(): Promise<TestCertificate> {
  const openssl = findBinary('openssl', 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'rs-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    await promisify(execFile)(
      openssl,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=resilient-store testkit',
        '-addext',
        SUBJECT_ALT_NAMES,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { timeout: 10_000 },
    );
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { cert, key };
  } catch (error) {
    throw new ServerStartError('openssl', `could not create a test certificate: ${String(error)}`, {
      cause: error,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
