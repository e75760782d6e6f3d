/**
 * Search embeddings on text-embedding-3-small: indexing a batch of help-center
 * articles (one request, several inputs) and embedding a customer's query.
 */
import { withAttribution } from '@aicost/node';
import { openai } from '../clients.ts';
import { helpArticles, searchQuery } from '../content.ts';
import type { Customer } from '../customers.ts';

export async function indexArticles(customer: Customer, batch: number): Promise<number> {
  return withAttribution(
    { feature: 'search-embeddings', customer: customer.id, workflow: 'kb-indexing' },
    async () => {
      const result = await openai.embeddings.create({
        model: 'text-embedding-3-small',
        input: helpArticles(batch),
      });
      return result.data.length;
    },
  );
}

export async function embedQuery(customer: Customer, n: number): Promise<number[]> {
  return withAttribution(
    { feature: 'search-embeddings', customer: customer.id, workflow: 'search' },
    async () => {
      const result = await openai.embeddings.create({
        model: 'text-embedding-3-small',
        input: searchQuery(customer.id, n),
      });
      return result.data[0]?.embedding ?? [];
    },
  );
}
