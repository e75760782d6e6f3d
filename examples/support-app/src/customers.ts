/** The tenants of the sample SaaS and how much each one uses every feature in one run. */
export interface Customer {
  id: string;
  plan: 'enterprise' | 'growth' | 'free';
  /** Requests per run, per feature. */
  usage: {
    tickets: number;
    digests: number;
    summaries: number;
    reviews: number;
    indexing: number;
    searches: number;
  };
}

export const CUSTOMERS: Customer[] = [
  {
    id: 'acme-corp',
    plan: 'enterprise',
    usage: { tickets: 8, digests: 3, summaries: 2, reviews: 5, indexing: 2, searches: 6 },
  },
  {
    id: 'globex',
    plan: 'growth',
    usage: { tickets: 5, digests: 2, summaries: 1, reviews: 2, indexing: 1, searches: 4 },
  },
  {
    id: 'initech',
    plan: 'free',
    usage: { tickets: 6, digests: 1, summaries: 1, reviews: 0, indexing: 1, searches: 3 },
  },
  {
    id: 'umbrella',
    plan: 'growth',
    usage: { tickets: 3, digests: 2, summaries: 0, reviews: 3, indexing: 0, searches: 2 },
  },
];
