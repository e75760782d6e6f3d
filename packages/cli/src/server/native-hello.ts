/**
 * clickhouse-go over HTTP opens every connection with
 * `SELECT displayName(), version(), revision(), timezone()` and decodes the
 * answer as a Native block of protocol revision 54460 (with BlockInfo and a
 * per-column custom-serialization flag). The embedded engine only writes the
 * revision-0 layout, so this one answer is encoded here, and it reports
 * revision 0: the driver then reads every later answer in the revision-0
 * layout the engine writes.
 */

const HELLO =
  /^\s*SELECT\s+displayName\(\)\s*,\s*version\(\)\s*,\s*revision\(\)\s*,\s*timezone\(\)\s*;?\s*$/i;

export function isNativeHello(query: string): boolean {
  return HELLO.test(query);
}

function varUInt(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    bytes.push(b);
  } while (v > 0);
  return Buffer.from(bytes);
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([varUInt(b.length), b]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

/** One Native block, revision >= 54454 layout: BlockInfo, then columns with a custom-serialization flag. */
export function encodeHelloBlock(displayName: string, version: string, timezone: string): Buffer {
  const blockInfo = Buffer.concat([varUInt(1), Buffer.from([0]), varUInt(2), int32(-1), varUInt(0)]);
  const column = (name: string, type: string, data: Buffer) =>
    Buffer.concat([str(name), str(type), Buffer.from([0]), data]);
  return Buffer.concat([
    blockInfo,
    varUInt(4),
    varUInt(1),
    column('displayName()', 'String', str(displayName)),
    column('version()', 'String', str(version)),
    column('revision()', 'UInt32', uint32(0)),
    column('timezone()', 'String', str(timezone)),
  ]);
}
