/**
 * The user's mapping of billing projects (OpenAI project, Anthropic workspace,
 * GCP project, AWS account, Azure subscription) to the service and environment
 * their spans carry, in YAML or JSON:
 *
 *   projects:
 *     proj_abc123: { service: support-app, environment: prod }
 *     anthropic/wrkspc_01XYZ: { service: support-app }   # provider/ prefix: that provider only
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ProjectTarget {
  service: string;
  environment: string;
}

export interface ProjectMapping {
  lookup(provider: string, project: string): ProjectTarget | undefined;
  /** The entries, for messages. */
  size: number;
}

export const EMPTY_MAPPING: ProjectMapping = { lookup: () => undefined, size: 0 };

export function parseProjectMapping(text: string, source: string): ProjectMapping {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const projects = (doc as { projects?: unknown } | null)?.projects;
  if (typeof projects !== 'object' || projects === null || Array.isArray(projects)) {
    throw new Error(`${source}: expected a "projects" map of project id to { service, environment }`);
  }
  const entries = new Map<string, ProjectTarget>();
  for (const [key, value] of Object.entries(projects as Record<string, unknown>)) {
    const target = value as { service?: unknown; environment?: unknown } | null;
    const service = target?.service;
    const environment = target?.environment ?? '';
    if (typeof service !== 'string' || service === '' || typeof environment !== 'string') {
      throw new Error(`${source}: projects.${key}: expected { service: <name>, environment?: <name> }`);
    }
    entries.set(key, { service, environment });
  }
  return {
    size: entries.size,
    lookup: (provider, project) => entries.get(`${provider}/${project}`) ?? entries.get(project),
  };
}

export function loadProjectMapping(file: string): ProjectMapping {
  return parseProjectMapping(readFileSync(file, 'utf8'), file);
}
