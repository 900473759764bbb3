/**
 * `contrastive search "a query" --embeddings FILE`: `searchRun` (the query through the run's
 * encoder, the k nearest rows of a saved embedding set by cosine). One JSON line per hit on
 * stdout: {query, rank, id, score[, label][, text]}, closest first.
 */
import { Command } from 'commander';
import { searchRun } from '../../search/search-run.js';
import { integer } from '../args.js';

interface SearchArgs {
  embeddings: string;
  queryFile?: string;
  checkpoint?: string;
  k: number;
}

export function searchCommand(): Command {
  return new Command('search')
    .description('the nearest rows of a saved embedding set (contrastive embed) to query texts or the items of a file; one JSON line per hit')
    .argument('[query...]', 'query texts (a text encoder\'s); or --query-file')
    .requiredOption('--embeddings <file>', 'the embedding set, written by contrastive embed (its <file>.json beside it)')
    .option('--query-file <path>', 'queries from a file read as --data reads it: .txt (one per line), .jsonl, a folder of images, a table')
    .option('--checkpoint <dir>', 'the run whose encoder embeds the queries (default: the one that wrote the set)')
    .option('--k <n>', 'neighbours per query', integer(1), 10)
    .action(async (query: string[], args: SearchArgs) => {
      const { results } = await searchRun({
        embeddings: args.embeddings, k: args.k, ...(args.checkpoint !== undefined ? { checkpoint: args.checkpoint } : {}),
        ...(args.queryFile !== undefined ? { queryFile: args.queryFile } : {}), ...(query.length > 0 || args.queryFile === undefined ? { queries: query } : {}),
      });
      for (const r of results) for (const h of r.hits) process.stdout.write(`${JSON.stringify({ query: r.query, ...h, score: Number(h.score.toFixed(6)) })}\n`);
    });
}
