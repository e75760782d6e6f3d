/** The tenants of the sample SaaS and how much each one uses every feature in one run. */
export interface Customer {
  id: string;
  plan: 'enterprise' | 'growth' | 'free';
  /** Replies are translated (reply-translation) when it is not English. */
  language: string;
  /** Requests per run, per feature (every ticket is also triaged, and translated if needed). */
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
    language: 'English',
    usage: { tickets: 8, digests: 3, summaries: 2, reviews: 5, indexing: 2, searches: 6 },
  },
  {
    id: 'globex',
    plan: 'growth',
    language: 'German',
    usage: { tickets: 5, digests: 2, summaries: 1, reviews: 2, indexing: 1, searches: 4 },
  },
  {
    id: 'initech',
    plan: 'free',
    language: 'English',
    usage: { tickets: 6, digests: 1, summaries: 1, reviews: 0, indexing: 1, searches: 3 },
  },
  {
    id: 'umbrella',
    plan: 'growth',
    language: 'French',
    usage: { tickets: 3, digests: 2, summaries: 0, reviews: 3, indexing: 0, searches: 2 },
  },
];
