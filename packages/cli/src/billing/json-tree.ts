/**
 * JSON with positions: billing files are parsed with the `yaml` package (JSON
 * is YAML), which keeps each value's source text and offset. Numbers are read
 * from their source text, never through a float, and every error can name the
 * line of the value it is about.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { decimalText } from './amount.js';
import { BillingFormatError } from './types.js';

export class JsonNode {
  constructor(
    private readonly node: Node | null | undefined,
    private readonly file: string,
    private readonly lines: LineCounter,
    /** Where the node is, for messages: `data[2].results[0].amount`. */
    readonly path: string,
    private readonly lineOffset = 0,
  ) {}

  /** 1-based line where the value starts. */
  get line(): number {
    const start = this.node?.range?.[0];
    return (start === undefined ? 1 : this.lines.linePos(start).line) + this.lineOffset;
  }

  get isNull(): boolean {
    return this.node == null || (isScalar(this.node) && this.node.value === null);
  }

  isObject(): boolean {
    return isMap(this.node);
  }

  isArray(): boolean {
    return isSeq(this.node);
  }

  has(key: string): boolean {
    return isMap(this.node) && this.node.items.some((pair) => isScalar(pair.key) && pair.key.value === key);
  }

  keys(): string[] {
    if (!isMap(this.node)) return [];
    return this.node.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : []));
  }

  /** The member `key` (a node whose `isNull` is true when absent). */
  get(key: string): JsonNode {
    const path = this.path ? `${this.path}.${key}` : key;
    if (!isMap(this.node)) return new JsonNode(undefined, this.file, this.lines, path, this.lineOffset);
    const pair = this.node.items.find((p) => isScalar(p.key) && p.key.value === key);
    return new JsonNode(pair?.value as Node | undefined, this.file, this.lines, path, this.lineOffset);
  }

  items(): JsonNode[] {
    if (!isSeq(this.node)) return [];
    return this.node.items.map(
      (item, i) => new JsonNode(item as Node, this.file, this.lines, `${this.path}[${i}]`, this.lineOffset),
    );
  }

  /** An array member; a format error (naming the field) when it is missing or not an array. */
  array(key: string): JsonNode[] {
    const member = this.get(key);
    if (!member.isArray()) throw this.error(member.path, `expected an array`);
    return member.items();
  }

  /** A string or number as text; undefined when absent or null. */
  text(key: string): string | undefined {
    const member = this.get(key);
    if (member.isNull) return undefined;
    if (!isScalar(member.node)) throw this.error(member.path, 'expected a string or a number');
    const source = (member.node as { source?: string }).source;
    return typeof member.node.value === 'number' && source !== undefined ? source : String(member.node.value);
  }

  /** A required string or number member. */
  requiredText(key: string): string {
    const value = this.text(key);
    if (value === undefined || value === '') throw this.error(`${this.path}.${key}`, 'missing');
    return value;
  }

  /** A decimal member as exact text; undefined when absent or null; a format error otherwise. */
  decimal(key: string): string | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    const value = decimalText(raw);
    if (value === undefined) throw this.error(`${this.path}.${key}`, `not a number: ${JSON.stringify(raw)}`);
    return value;
  }

  bool(key: string): boolean | undefined {
    const member = this.get(key);
    if (member.isNull) return undefined;
    if (!isScalar(member.node) || typeof member.node.value !== 'boolean')
      throw this.error(member.path, 'expected true or false');
    return member.node.value;
  }

  error(field: string, problem: string): BillingFormatError {
    const at = field === this.path ? this : this.get(field.slice(this.path.length + 1));
    return new BillingFormatError(this.file, at.isNull ? this.line : at.line, field, problem);
  }
}

/** Parses one JSON document; a syntax error names the file and line. */
export function parseJson(text: string, file: string, lineOffset = 0): JsonNode {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'json', uniqueKeys: false });
  const [first] = doc.errors;
  if (first) {
    const line = (first.linePos?.[0].line ?? 1) + lineOffset;
    throw new BillingFormatError(file, line, '', `not valid JSON: ${first.message.split('\n')[0]}`);
  }
  return new JsonNode(doc.contents, file, lines, '', lineOffset);
}

/** Newline-delimited JSON (BigQuery's export): one document per non-empty line. */
export function parseJsonLines(text: string, file: string): JsonNode[] {
  return text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [parseJson(line, file, i)]));
}
