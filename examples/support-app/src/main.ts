/**
 * The sample support application: every customer uses every feature a few
 * times. Run it with aicost loaded before the provider SDKs:
 *
 *   node --import @aicost/node/register src/main.ts
 *
 * Each finished request prints `[done/total] feature customer`, which
 * `aicost demo` reads to draw its progress bar.
 */
import { CUSTOMERS, type Customer } from './customers.ts';
import { reviewPullRequest } from './features/code-review.ts';
import { embedQuery, indexArticles } from './features/search.ts';
import { nightlyDigest, summaryOnDemand } from './features/summarize.ts';
import { answerTicket } from './features/support-chat.ts';
import { translateReply } from './features/translation.ts';
import { triageTicket } from './features/triage.ts';

interface Job {
  feature: string;
  customer: string;
  run: () => Promise<unknown>;
}

function jobsOf(customer: Customer): Job[] {
  const jobs: Job[] = [];
  const add = (feature: string, count: number, run: (n: number) => Promise<unknown>) => {
    for (let n = 0; n < count; n++) jobs.push({ feature, customer: customer.id, run: () => run(n) });
  };
  const { usage } = customer;
  add('ticket-triage', usage.tickets, (n) => triageTicket(customer, n));
  add('support-chat', usage.tickets, (n) => answerTicket(customer, n));
  if (customer.language !== 'English')
    add('reply-translation', usage.tickets, (n) => translateReply(customer, n));
  add('summarization', usage.digests, (n) => nightlyDigest(customer, n));
  add('summarization', usage.summaries, (n) => summaryOnDemand(customer, n));
  add('code-review', usage.reviews, (n) => reviewPullRequest(customer, n));
  add('search-embeddings', usage.indexing, (n) => indexArticles(customer, n));
  add('search-embeddings', usage.searches, (n) => embedQuery(customer, n));
  return jobs;
}

/** Runs the jobs a few at a time, like concurrent users would. */
async function runAll(jobs: Job[], concurrency: number): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++] as Job;
      await job.run();
      done++;
      process.stdout.write(`[${done}/${jobs.length}] ${job.feature} ${job.customer}\n`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * `SUPPORT_APP_PART=k/n` runs every n-th job starting with the k-th: `aicost demo` runs the
 * app twice, as two releases of the service, each serving half of the traffic.
 */
function part(all: Job[]): Job[] {
  const match = /^(\d+)\/(\d+)$/.exec(process.env.SUPPORT_APP_PART ?? '1/1');
  if (!match) throw new Error('SUPPORT_APP_PART must look like 1/2');
  const [k, n] = [Number(match[1]), Number(match[2])];
  return all.filter((_, index) => index % n === k - 1);
}

const jobs = part(CUSTOMERS.flatMap(jobsOf));
const concurrency = Number(process.env.SUPPORT_APP_CONCURRENCY ?? 4);
try {
  await runAll(jobs, concurrency);
} catch (err) {
  process.stderr.write(`support-app: a request failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
}
