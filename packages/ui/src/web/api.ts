/** The UI server's JSON API (same origin). */
export type Row = Record<string, unknown>;

export class ApiError extends Error {}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new ApiError(body.error ?? `HTTP ${response.status}`);
  return body;
}

export interface PanelsAnswer {
  range: { from: number; to: number; intervalSeconds: number };
  panels: Record<string, Row[]>;
}
