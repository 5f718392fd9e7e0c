#!/usr/bin/env node
// A copyable Node client of relations.v1: optionally ingests one text file,
// then reads its own write (min_sequence) and prints how two countries get
// along and which agreements bind them.
//
//   npm ci                                   # once, in examples/node
//   node client.mjs                          # AZ IR
//   node client.mjs Baku Tehran --ingest article.txt \
//       --ingest-target localhost:50051 --query localhost:50052
//
// The .proto files are loaded at run time from the repository's proto/
// (--proto DIR elsewhere). keepCase is false, so fields use the proto JSON
// names (countryA, minSequence, ...).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'ingest-target': { type: 'string', default: 'localhost:50051' },
    query: { type: 'string', default: 'localhost:50052' },
    ingest: { type: 'string' },
    proto: {
      type: 'string',
      default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto'),
    },
  },
});
const [countryA = 'AZ', countryB = 'IR'] = positionals;

const files = ['article', 'facts', 'ingest_service', 'log', 'query_service']
  .map((name) => `relations/v1/${name}.proto`);
const relations = grpc.loadPackageDefinition(protoLoader.loadSync(files, {
  keepCase: false, longs: String, enums: String, defaults: true, includeDirs: [opts.proto],
})).relations.v1;

// Promisified unary call with a 10 s deadline.
function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 10_000 },
                   (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

const day = (ts) => (ts ? new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 10) : 'undated');

let minSequence = '0';
if (opts.ingest) {
  const ingest = new relations.IngestService(opts['ingest-target'], grpc.credentials.createInsecure());
  const ack = await call(ingest, 'ingestArticle', {
    article: { text: fs.readFileSync(opts.ingest, 'utf8'), url: `file://${path.resolve(opts.ingest)}` },
  });
  console.log(`ingested ${opts.ingest}: ${ack.outcome} id=${ack.articleId} sequence=${ack.sequence} ${ack.message}`);
  minSequence = ack.sequence;  // read our own write
  ingest.close();
}

const query = new relations.QueryService(opts.query, grpc.credentials.createInsecure());
try {
  const state = await call(query, 'getRelationsState', { countryA, countryB, minSequence });
  console.log(`${state.countryA}-${state.countryB}: ${state.level} score ${state.score.toFixed(2)} ` +
              `${state.trend} (${state.eventCount} events)`);
  for (const e of state.evidence) {
    console.log(`  ${day(e.occurredAt)} ${e.type} ${e.weight.toFixed(1)}: ${e.summary}`);
  }
  const { agreements } = await call(query, 'listAgreements', { country: countryA, minSequence });
  console.log(`agreements with ${countryA}: ${agreements.length}`);
  for (const a of agreements) {
    console.log(`  ${a.name} [${a.parties.join(', ')}] ${a.status} (${a.citations.length} mentions)`);
  }
} catch (err) {
  // e.g. INVALID_ARGUMENT "country_a: unknown country ..." or UNAVAILABLE.
  console.error(`${grpc.status[err.code]}: ${err.details}`);
  process.exitCode = 1;
} finally {
  query.close();
}
