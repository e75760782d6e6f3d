/**
 * Reads one billing file: recognises its format from its content (or takes the
 * one given), and parses it into rows. Files are read locally; nothing leaves
 * the machine.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isAnthropicReport, parseAnthropicCost, parseAnthropicUsage } from './anthropic.js';
import { isCurCsv, isParquet, parseCurCsv, parseCurParquet } from './aws.js';
import { isAzureCsv, parseAzureCsv } from './azure.js';
import { parseCsv } from './csv.js';
import { isGcpCsv, isGcpJson, parseGcpCsv, parseGcpJson } from './google.js';
import { type JsonNode, parseJson, parseJsonLines } from './json-tree.js';
import {
  isOpenAiCostsCsv,
  isOpenAiPage,
  parseOpenAiCosts,
  parseOpenAiCostsCsv,
  parseOpenAiUsage,
} from './openai.js';
import { BillingFormatError, type ParsedBillingRow, SOURCE_FORMATS, type SourceFormat } from './types.js';

/** The provider each format bills for. */
export const FORMAT_PROVIDER: Record<SourceFormat, string> = {
  'openai-costs': 'openai',
  'openai-usage': 'openai',
  'openai-costs-csv': 'openai',
  'anthropic-cost': 'anthropic',
  'anthropic-usage': 'anthropic',
  'gcp-billing': 'google',
  'aws-cur2': 'aws',
  'azure-cost': 'azure',
};

export interface ReadResult {
  format: SourceFormat;
  rows: ParsedBillingRow[];
  /** Rows of non-AI services in a cloud bill (not imported). */
  skipped: number;
  /** The file's bytes (for the import id). */
  bytes: Uint8Array;
}

export function isSourceFormat(name: string): name is SourceFormat {
  return (SOURCE_FORMATS as readonly string[]).includes(name);
}

function jsonFormat(root: JsonNode): SourceFormat | undefined {
  const openai = isOpenAiPage(root);
  if (openai) return openai;
  const anthropic = isAnthropicReport(root);
  if (anthropic) return anthropic;
  const first = root.isArray() ? root.items()[0] : root;
  if (first && isGcpJson(first)) return 'gcp-billing';
  return undefined;
}

function unrecognised(file: string): BillingFormatError {
  return new BillingFormatError(
    file,
    1,
    '',
    `not a billing format aicost reads (${SOURCE_FORMATS.join(', ')}); pass --format if it is one of them`,
  );
}

export async function readBillingFile(file: string, forced?: SourceFormat): Promise<ReadResult> {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const result = (format: SourceFormat, parsed: { rows: ParsedBillingRow[]; skipped: number }) => {
    if (forced && forced !== format) {
      throw new BillingFormatError(file, 1, '', `the file looks like ${format}, not ${forced}`);
    }
    return { format, rows: parsed.rows, skipped: parsed.skipped, bytes };
  };
  if (isParquet(bytes)) return result('aws-cur2', await parseCurParquet(bytes, file));

  const text = Buffer.from(bytes).toString('utf8');
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    // BigQuery writes one JSON object per line; a saved API page is one document.
    const firstLine = start.split('\n', 1)[0] ?? '';
    const ndjson =
      start.startsWith('{') && firstLine.trim().endsWith('}') && start.trim() !== firstLine.trim();
    if (ndjson) {
      const nodes = parseJsonLines(text, file);
      if (nodes[0] && isGcpJson(nodes[0])) return result('gcp-billing', parseGcpJson(nodes, file));
      throw unrecognised(file);
    }
    const root = parseJson(text, file);
    const format = forced ?? jsonFormat(root);
    switch (format) {
      case 'openai-costs':
        return result(format, { rows: parseOpenAiCosts(root), skipped: 0 });
      case 'openai-usage':
        return result(format, { rows: parseOpenAiUsage(root), skipped: 0 });
      case 'anthropic-cost':
        return result(format, { rows: parseAnthropicCost(root), skipped: 0 });
      case 'anthropic-usage':
        return result(format, { rows: parseAnthropicUsage(root), skipped: 0 });
      case 'gcp-billing':
        return result(format, parseGcpJson(root.isArray() ? root.items() : [root], file));
      default:
        throw unrecognised(file);
    }
  }

  const csv = parseCsv(text, file);
  if (isOpenAiCostsCsv(csv))
    return result('openai-costs-csv', { rows: parseOpenAiCostsCsv(csv, file), skipped: 0 });
  if (isCurCsv(csv)) return result('aws-cur2', parseCurCsv(csv, file));
  if (isAzureCsv(csv)) return result('azure-cost', parseAzureCsv(csv, file));
  if (isGcpCsv(csv)) return result('gcp-billing', parseGcpCsv(csv, file));
  throw unrecognised(file);
}
