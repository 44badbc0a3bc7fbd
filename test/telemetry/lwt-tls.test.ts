// The Last Will on an unclean end (SIGKILL), TLS with a test CA and client certificates, refused plain credentials.
import t from 'tap';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Broker, freePort, mosquittoMissing } from './fixtures/broker.js';
import { Collector, until } from './fixtures/collector.js';
import { rig } from './fixtures/setup.js';

const run = promisify(execFile);
const HERE = import.meta.dirname;

async function makePki(dir: string): Promise<void> {
  const o = (args: string[]) => run('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=modemflow test CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
  for (const [name, cn, ext] of [['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', 'rt1', 'extendedKeyUsage=clientAuth']] as const) {
    await o(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    await run('sh', ['-c', `printf '%s\\n' '${ext}' > ${name}.ext`], { cwd: dir });
    await o(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  }
}

const missing = await mosquittoMissing();
if (missing) t.plan(0, missing);
else {
  t.test('Last Will: offline, retained, when the publisher is killed', async (t) => {
    const broker = await Broker.start();
    t.teardown(() => broker.stop());
    const tsImport = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a.includes('tsimp') || a.includes('ts-node'));
    const child = spawn(process.execPath, [...tsImport, resolve(HERE, 'fixtures/lwt-child.ts'), broker.url, 'lwt'], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.teardown(() => void child.kill('SIGKILL'));
    await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('connected') && ok()));
    const sub = await Collector.connect(broker.url, ['lwt/rt1/status']);
    t.teardown(() => sub.close());
    await sub.until(() => sub.messages.at(-1)?.payload === 'online', 'retained online');
    child.kill('SIGKILL');
    await sub.until(() => sub.messages.at(-1)?.payload === 'offline', 'the Will');
    const late = await Collector.connect(broker.url, ['lwt/rt1/status']);
    t.teardown(() => late.close());
    await late.until(() => late.messages.length > 0, 'retained status');
    t.same([late.messages[0]!.payload, late.messages[0]!.retain], ['offline', true], 'the Will is retained');
  });

  t.test('TLS with a test CA and a client certificate', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-pki-'));
    await makePki(dir);
    const port = await freePort();
    const broker = new Broker(port, {
      listener: ['allow_anonymous true', `cafile ${dir}/ca.pem`, `certfile ${dir}/server.pem`, `keyfile ${dir}/server.key`, 'require_certificate true', 'use_identity_as_username true'],
    });
    await broker.start();
    t.teardown(() => broker.stop());
    const url = `mqtts://127.0.0.1:${port}`;
    const sub = await Collector.connect(url, ['tls/#'], { ca: require_(dir, 'ca.pem'), cert: require_(dir, 'client.pem'), key: require_(dir, 'client.key'), rejectUnauthorized: true });
    t.teardown(() => sub.close());

    const good = rig({ brokerUrl: url, topicRoot: 'tls', caFile: `${dir}/ca.pem`, certFile: `${dir}/client.pem`, keyFile: `${dir}/client.key` });
    good.telemetry.start();
    t.teardown(() => good.telemetry.stop());
    await sub.until(() => sub.on('tls/rt1/status').length > 0, 'status over TLS');
    t.equal(sub.on('tls/rt1/status')[0]!.payload, 'online');

    const noCert = rig({ brokerUrl: url, topicRoot: 'tls2', caFile: `${dir}/ca.pem` });
    noCert.telemetry.start();
    t.teardown(() => noCert.telemetry.stop());
    await until(() => noCert.telemetry.status().lastError !== null, 'an error without a client certificate');
    t.equal(noCert.telemetry.status().connected, false);

    const wrongCa = rig({ brokerUrl: url, topicRoot: 'tls3', certFile: `${dir}/client.pem`, keyFile: `${dir}/client.key` });
    wrongCa.telemetry.start();
    t.teardown(() => wrongCa.telemetry.stop());
    await until(() => wrongCa.telemetry.status().lastError !== null, 'an error with an unknown server CA');
    t.match(wrongCa.telemetry.status().lastError, /certificate/i);
    t.equal(sub.on('tls2/rt1/status').length + sub.on('tls3/rt1/status').length, 0, 'nothing from the refused ones');
  });

  t.test('credentials over plain TCP: refused unless plain_credentials', async (t) => {
    const port = await freePort();
    // mosquitto_passwd writes the hashed file.
    const pw = join(mkdtempSync(join(tmpdir(), 'mf-pw-')), 'passwd');
    await run('mosquitto_passwd', ['-c', '-b', pw, 'rt1', 's3cret-pw']);
    const broker = new Broker(port, { listener: ['allow_anonymous false', `password_file ${pw}`] });
    await broker.start();
    t.teardown(() => broker.stop());
    const sub = await Collector.connect(broker.url, ['pw/#'], { username: 'rt1', password: 's3cret-pw' });
    t.teardown(() => sub.close());

    const refused = rig({ brokerUrl: broker.url, topicRoot: 'pw', username: 'rt1', password: 's3cret-pw' });
    refused.telemetry.start();
    t.teardown(() => refused.telemetry.stop());
    t.match(refused.telemetry.status(), { enabled: true, connected: false, lastError: /refusing to send username\/password over unencrypted mqtt:\/\// });

    const allowed = rig({ brokerUrl: broker.url, topicRoot: 'pw', username: 'rt1', password: 's3cret-pw', plainCredentials: true });
    allowed.telemetry.start();
    t.teardown(() => allowed.telemetry.stop());
    await sub.until(() => sub.on('pw/rt1/status').length > 0, 'status with plain_credentials');

    const wrong = rig({ brokerUrl: broker.url, topicRoot: 'pw3', username: 'rt1', password: 'wrong-pw', plainCredentials: true });
    wrong.telemetry.start();
    t.teardown(() => wrong.telemetry.stop());
    await until(() => wrong.telemetry.status().lastError !== null, 'refused by the broker');
    t.match(wrong.telemetry.status().lastError, /Connection refused/);
    for (const r of [refused, allowed, wrong]) {
      t.notOk(JSON.stringify(r.logger.entries).includes('s3cret') || JSON.stringify(r.logger.entries).includes('wrong-pw'), 'no password in the log');
    }
  });

  t.test('broker URL checked', async (t) => {
    for (const [url, re] of [
      ['http://b.example', /scheme http:/],
      ['mqtt://user:pw@b.example', /credentials in the URL/],
      ['mqtt://b.example/x', /takes no path/],
    ] as const) {
      const r = rig({ brokerUrl: url });
      r.telemetry.start();
      t.match(r.telemetry.status().lastError, re, url);
      t.notOk(JSON.stringify(r.logger.entries).includes('pw@'), 'the URL with credentials is not logged');
      await r.telemetry.stop();
    }
  });
}

function require_(dir: string, name: string): Buffer {
  return readFileSync(join(dir, name));
}
