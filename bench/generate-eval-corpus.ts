import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateEvalCorpus, serializeEvalCorpus } from './eval-corpus.js';

// `npm run eval:generate`: rewrites the committed corpus after a change to bench/eval-corpus.ts.
const file = path.resolve(__dirname, '../test/fixtures/eval/corpus.jsonl');
const cases = generateEvalCorpus();
writeFileSync(file, serializeEvalCorpus(cases));
console.log(`${path.relative(process.cwd(), file)}: ${cases.length} cases`);
