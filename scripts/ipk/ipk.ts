import { gzipSync } from 'node:zlib';
import { treeEntries, writeTar } from './tar-writer.js';
import type { TreeFile } from './tar-writer.js';

/**
 * One .ipk as OpenWrt 24.10's SDK makes it (include/package-pack.mk, then
 * scripts/ipkg-build): a gzip'd tar holding ./debian-binary, ./data.tar.gz
 * and ./control.tar.gz, in that order. opkg-lede reads only this form (it
 * walks the outer stream as a gzip'd tar), not Debian's ar archive.
 */

export interface PackageSpec {
  name: string;
  /** PKG_VERSION-rPKG_RELEASE, e.g. 0.2.0-r1. */
  version: string;
  /** Without the `libc` the SDK puts first for every non-kmod package. */
  depends: string[];
  /** Path of the package in the build tree, e.g. feeds/modemflow/modemflow. */
  source: string;
  sourceName: string;
  license: string;
  section: string;
  maintainer: string;
  /** PKGARCH. */
  architecture: string;
  /** Lines of the description (the Makefile's define, already trimmed). */
  description: string[];
  sourceDateEpoch: number;
  files: TreeFile[];
  /** Package/<name>/conffiles. */
  conffiles: string[];
  /** Package/<name>/postinst and prerm: sourced by default_postinst/default_prerm. */
  postinstPkg?: string;
  prermPkg?: string;
  /** Package/<name>/postrm: run by opkg itself after removal. */
  postrm?: string;
}

export interface BuiltIpk {
  fileName: string;
  bytes: Buffer;
  control: string;
  controlTar: Buffer;
  dataTar: Buffer;
}

export class IpkError extends Error {
  override name = 'IpkError';
}

// The scripts the SDK writes for every package: enable and start (or stop
// and disable) what the package ships in /etc/init.d, run its uci-defaults,
// then whatever the package adds in postinst-pkg/prerm-pkg.
export const POSTINST = [
  '#!/bin/sh',
  '[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0',
  '[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0',
  '. ${IPKG_INSTROOT}/lib/functions.sh',
  'default_postinst $0 $@',
  '',
].join('\n');

export const PRERM = [
  '#!/bin/sh',
  '[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0',
  '. ${IPKG_INSTROOT}/lib/functions.sh',
  'default_prerm $0 $@',
  '',
].join('\n');

const NAME_RE = /^[a-z0-9][a-z0-9_.+-]*$/;
// apk v3 and opkg both accept <digits and dots>[-r<release>].
const VERSION_RE = /^[0-9]+(\.[0-9]+)*(_[a-z]+[0-9]*)?(-r[0-9]+)?$/;

function check(spec: PackageSpec): void {
  const where = `package ${spec.name}`;
  if (!NAME_RE.test(spec.name)) throw new IpkError(`${where}: name must match ${NAME_RE}`);
  if (!VERSION_RE.test(spec.version)) throw new IpkError(`${where}: version '${spec.version}' is not of the form 0.2.0-r1`);
  for (const d of spec.depends) if (!NAME_RE.test(d)) throw new IpkError(`${where}: dependency '${d}' is not a package name`);
  if (!Number.isInteger(spec.sourceDateEpoch) || spec.sourceDateEpoch <= 0) {
    throw new IpkError(`${where}: SourceDateEpoch must be a positive integer, got ${spec.sourceDateEpoch}`);
  }
  const paths = new Set(spec.files.map((f) => f.path));
  for (const c of spec.conffiles) {
    if (!paths.has(c)) throw new IpkError(`${where}: conffile ${c} is not one of the package's files`);
  }
  for (const line of [...spec.description, spec.maintainer, spec.license, spec.source]) {
    if (/[\n\r]/.test(line)) throw new IpkError(`${where}: control values must be single lines`);
  }
}

/**
 * The control file in package-pack.mk's field order; Installed-Size is the
 * size of the uncompressed data tar (ipkg-build: `zcat data.tar.gz | wc -c`)
 * and each description line gets one leading space (its `sed 's,^[[:space:]]*, ,'`).
 */
export function controlText(spec: PackageSpec, installedSize: number): string {
  const lines = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Depends: ${['libc', ...spec.depends].join(', ')}`,
    `Source: ${spec.source}`,
    `SourceName: ${spec.sourceName}`,
    `License: ${spec.license}`,
    `Section: ${spec.section}`,
    `SourceDateEpoch: ${spec.sourceDateEpoch}`,
    `Maintainer: ${spec.maintainer}`,
    `Architecture: ${spec.architecture}`,
    `Installed-Size: ${installedSize}`,
  ];
  const desc = spec.description.map((l) => ` ${l.trim()}`);
  return `${lines.join('\n')}\nDescription: ${desc.join('\n')}\n`;
}

/** ipkg-build's file name: <name>_<version without epoch>_<arch>.ipk. */
export function ipkFileName(spec: PackageSpec): string {
  return `${spec.name}_${spec.version.replace(/^.:/, '')}_${spec.architecture}.ipk`;
}

function gzip(data: Buffer): Buffer {
  // Node's gzip header carries mtime 0 and no file name, like `gzip -n`.
  return gzipSync(data, { level: 6 });
}

export function buildIpk(spec: PackageSpec): BuiltIpk {
  check(spec);
  const mtime = spec.sourceDateEpoch;
  const dataTar = writeTar(treeEntries(spec.files), mtime);
  const control = controlText(spec, dataTar.length);
  const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
  const controlFiles: TreeFile[] = [
    { path: '/control', mode: 0o644, data: enc(control) },
    { path: '/postinst', mode: 0o755, data: enc(POSTINST) },
    { path: '/prerm', mode: 0o755, data: enc(PRERM) },
  ];
  if (spec.conffiles.length) {
    const sorted = [...spec.conffiles].sort((a, b) => Buffer.compare(enc(a), enc(b)));
    controlFiles.push({ path: '/conffiles', mode: 0o644, data: enc(sorted.join('\n') + '\n') });
  }
  if (spec.postinstPkg !== undefined) controlFiles.push({ path: '/postinst-pkg', mode: 0o755, data: enc(spec.postinstPkg) });
  if (spec.prermPkg !== undefined) controlFiles.push({ path: '/prerm-pkg', mode: 0o755, data: enc(spec.prermPkg) });
  if (spec.postrm !== undefined) controlFiles.push({ path: '/postrm', mode: 0o755, data: enc(spec.postrm) });
  const controlTar = writeTar(treeEntries(controlFiles), mtime);
  const dataGz = gzip(dataTar);
  const controlGz = gzip(controlTar);
  const outer = writeTar(
    [
      { name: './debian-binary', type: 'file', mode: 0o644, data: enc('2.0\n') },
      { name: './data.tar.gz', type: 'file', mode: 0o644, data: dataGz },
      { name: './control.tar.gz', type: 'file', mode: 0o644, data: controlGz },
    ],
    mtime,
  );
  return { fileName: ipkFileName(spec), bytes: gzip(outer), control, controlTar, dataTar };
}
