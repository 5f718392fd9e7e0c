#!/usr/bin/env node
// End-to-end scenario of the relations monitor from a Node gRPC client.
//
// Proves that a client in another language can use the public contract
// (API.md) from the .proto files alone: it loads proto/relations/v1/*.proto at
// run time with @grpc/proto-loader (keepCase: false, so field names are the
// proto JSON names: countryA, minSequence, ...), streams the seed articles,
// reads its own writes with min_sequence and checks the answers.
//
// Usage:
//   node run.mjs --ingest HOST:PORT --query HOST:PORT --corpus DIR
//                [--proto DIR] [--deadline-s N] [--accept-duplicates]
// DIR holds seeds.jsonl (one {"file","source","published_at"} per line, paths
// relative to DIR; empty fields are left unset) and, optionally,
// seeds.expected.json (used for the article dates and the border dispute).
// Prints one line per check and a final `N passed, M failed`; exits 1 when a
// check failed, 2 on bad usage.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const args = {
    ingest: '',
    query: '',
    corpus: '',
    proto: path.resolve(here, '../../../proto'),
    deadlineS: 30,
    acceptDuplicates: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--ingest': args.ingest = value(); break;
      case '--query': args.query = value(); break;
      case '--corpus': args.corpus = value(); break;
      case '--proto': args.proto = value(); break;
      case '--deadline-s': args.deadlineS = Number(value()); break;
      case '--accept-duplicates': args.acceptDuplicates = true; break;
      case '-h': case '--help':
        console.log('usage: node run.mjs --ingest HOST:PORT --query HOST:PORT --corpus DIR ' +
                    '[--proto DIR] [--deadline-s N] [--accept-duplicates]');
        process.exit(0);
        break;
      default:
        console.error(`unknown argument: ${arg}`);
        process.exit(2);
    }
  }
  for (const key of ['ingest', 'query', 'corpus']) {
    if (!args[key]) {
      console.error(`missing --${key} (see --help)`);
      process.exit(2);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- reporting

let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

function note(text) {
  console.log(`     ${text}`);
}

// ------------------------------------------------------------------- protos

const loaderOptions = {
  keepCase: false,   // proto JSON names (lowerCamelCase)
  longs: String,     // uint64 sequences as decimal strings, compared as BigInt
  enums: String,     // enum values by name
  defaults: true,    // unset scalars read as their zero value, unset messages as null
  oneofs: true,
  includeDirs: [args.proto],
};

const relationsFiles = fs.readdirSync(path.join(args.proto, 'relations/v1'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => `relations/v1/${f}`);
const relations = grpc.loadPackageDefinition(
  protoLoader.loadSync(relationsFiles, loaderOptions)).relations.v1;

const health = (() => {
  const { protoPath } = require('grpc-health-check');
  const def = protoLoader.loadSync(protoPath, { keepCase: false, enums: String, defaults: true });
  return grpc.loadPackageDefinition(def).grpc.health.v1;
})();

// google.rpc.Status and google.rpc.BadRequest, to decode grpc-status-details-bin.
const rpcTypes = (() => {
  const gpfDir = path.dirname(require.resolve('google-proto-files/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    const local = path.join(gpfDir, target);
    return fs.existsSync(local) ? local : target;  // google/protobuf/*: protobufjs ships them
  };
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  return {
    Status: root.lookupType('google.rpc.Status'),
    byTypeUrl: (typeUrl) => {
      const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
      try { return root.lookupType(name); } catch { return null; }
    },
  };
})();

// ------------------------------------------------------------------ helpers

function deadline() {
  return new Date(Date.now() + args.deadlineS * 1000);
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline() }, (err, response) => {
      if (err) reject(err); else resolve(response);
    });
  });
}

// Runs a call and records a failed check (instead of throwing) on error.
async function tryCall(name, client, method, request) {
  try {
    return await unary(client, method, request);
  } catch (err) {
    check(name, false, `${method} failed: ${describeError(err)}`);
    return null;
  }
}

function describeError(err) {
  const code = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) ?? err.code;
  return `${code}: ${err.details ?? err.message}`;
}

function timestampFromIso(iso) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad timestamp ${iso}`);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

function isoDay(ts) {
  if (!ts) return null;
  return new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 10);
}

function seq(value) {
  return BigInt(value ?? 0);
}

function isSorted(list) {
  return list.every((v, i) => i === 0 || list[i - 1] <= v);
}

// Reads every page of a List* call: page_size 1 first (to exercise the
// tokens), compared with one large page.
async function listAll(name, client, method, request, field) {
  const whole = await tryCall(name, client, method, { ...request, pageSize: 1000 });
  if (!whole) return null;
  const pages = [];
  let token = '';
  for (let i = 0; i < 10000; i++) {
    const page = await tryCall(name, client, method, { ...request, pageSize: 1, pageToken: token });
    if (!page) return null;
    pages.push(...page[field]);
    token = page.nextPageToken;
    if (!token) break;
  }
  check(`${name}: page_size=1 pages give the same items as one page`,
        JSON.stringify(pages) === JSON.stringify(whole[field]),
        `${whole[field].length} items`);
  return whole[field];
}

function citationOk(citation, articleIds) {
  return citation && articleIds.has(citation.articleId) && citation.quote.length > 0;
}

// ------------------------------------------------------------------ corpus

function readCorpus(dir) {
  const lines = fs.readFileSync(path.join(dir, 'seeds.jsonl'), 'utf8').split('\n')
    .filter((l) => l.trim() !== '');
  const items = lines.map((line) => {
    const meta = JSON.parse(line);
    const article = { text: fs.readFileSync(path.join(dir, meta.file), 'utf8') };
    if (meta.source) article.source = meta.source;
    if (meta.url) article.url = meta.url;
    if (meta.title) article.title = meta.title;
    if (meta.language) article.language = meta.language;
    if (meta.published_at) article.publishedAt = timestampFromIso(meta.published_at);
    return { file: meta.file, meta, article };
  });
  const expectedPath = path.join(dir, 'seeds.expected.json');
  const expected = fs.existsSync(expectedPath)
    ? JSON.parse(fs.readFileSync(expectedPath, 'utf8')) : null;
  return { items, expected };
}

// ---------------------------------------------------------------- scenario

async function checkHealth(name, target) {
  const client = new health.Health(target, grpc.credentials.createInsecure());
  try {
    const reply = await unary(client, 'check', { service: '' });
    check(`${name} health is SERVING`, reply.status === 'SERVING', reply.status);
  } catch (err) {
    check(`${name} health is SERVING`, false, describeError(err));
  } finally {
    client.close();
  }
}

function streamArticles(ingest, items) {
  return new Promise((resolve) => {
    const responses = [];
    const call = ingest.streamArticles({ deadline: new Date(Date.now() + 120_000) });
    call.on('data', (r) => responses.push(r));
    call.on('error', (err) => resolve({ responses, error: err }));
    call.on('end', () => resolve({ responses, error: null }));
    for (const item of items) {
      call.write({ article: item.article, clientRef: item.file });
    }
    call.end();
  });
}

async function main() {
  const { items, expected } = readCorpus(args.corpus);
  console.log(`corpus: ${items.length} articles from ${args.corpus}; protos from ${args.proto}`);

  await checkHealth('ingest-service', args.ingest);
  await checkHealth('query-service', args.query);

  const ingest = new relations.IngestService(args.ingest, grpc.credentials.createInsecure());
  const query = new relations.QueryService(args.query, grpc.credentials.createInsecure());

  // --- StreamArticles: one response per article, in order, durable sequences.
  const { responses, error } = await streamArticles(ingest, items);
  check('StreamArticles stream ends OK', !error, error ? describeError(error) : '');
  check(`StreamArticles: ${items.length} responses`, responses.length === items.length,
        `got ${responses.length}`);
  const wanted = args.acceptDuplicates
    ? ['INGEST_OUTCOME_ACCEPTED', 'INGEST_OUTCOME_DUPLICATE'] : ['INGEST_OUTCOME_ACCEPTED'];
  responses.forEach((r, i) => {
    check(`StreamArticles[${i}] ${r.clientRef}: ${wanted.join('|')}`,
          wanted.includes(r.outcome) && r.articleId !== '' && seq(r.sequence) > 0n,
          `${r.outcome} id=${r.articleId} seq=${r.sequence}${r.message ? ` msg=${r.message}` : ''}`);
  });
  check('StreamArticles: client_ref echoed in request order',
        responses.map((r) => r.clientRef).join() === items.map((it) => it.file).join());
  const sequences = responses.map((r) => seq(r.sequence));
  if (!args.acceptDuplicates) {
    check('StreamArticles: sequences strictly increase',
          sequences.length === items.length && sequences.every((s, i) => i === 0 || sequences[i - 1] < s), sequences.join(' < '));
  }
  const minSequence = String(sequences.reduce((a, b) => (a > b ? a : b), 0n));
  note(`min_sequence = ${minSequence}`);

  const articleIds = new Set(responses.map((r) => r.articleId).filter((id) => id));
  const dates = new Map((expected?.article_dates ?? []).map((d) => [d.file, d]));

  // --- GetArticle: read-your-writes and the stored metadata.
  for (const [i, r] of responses.entries()) {
    if (!r.articleId) continue;
    const name = `GetArticle ${items[i].file}`;
    const a = await tryCall(name, query, 'getArticle', { articleId: r.articleId, minSequence });
    if (!a) continue;
    check(`${name}: id and sequence`, a.articleId === r.articleId && seq(a.sequence) === seq(r.sequence),
          `seq=${a.sequence} events=${a.eventCount} figures=${a.figureCount}`);
    if (items[i].meta.source) {
      check(`${name}: source from metadata`, a.source === items[i].meta.source, JSON.stringify(a.source));
    }
    const want = dates.get(items[i].file);
    if (want) {
      check(`${name}: published_at ${want.date ?? 'unset'}`, isoDay(a.publishedAt) === want.date,
            `got ${isoDay(a.publishedAt) ?? 'unset'}`);
    }
  }
  const missing = await unary(query, 'getArticle', { articleId: 'no-such-article-id', minSequence })
    .then(() => null, (err) => err);
  check('GetArticle unknown id: NOT_FOUND', missing?.code === grpc.status.NOT_FOUND,
        missing ? describeError(missing) : 'call succeeded');

  // --- GetRelationsState AZ/IR, by code and by name/capital.
  const state = await tryCall('GetRelationsState AZ/IR', query, 'getRelationsState',
                              { countryA: 'IR', countryB: 'AZ', minSequence });
  if (state) {
    check('GetRelationsState AZ/IR: pair sorted', state.countryA === 'AZ' && state.countryB === 'IR',
          `${state.countryA}/${state.countryB}`);
    check('GetRelationsState AZ/IR: level set', state.level !== 'RELATIONS_LEVEL_UNSPECIFIED',
          `${state.level} score=${state.score.toFixed(2)} trend=${state.trend} events=${state.eventCount}`);
    check('GetRelationsState AZ/IR: score in [-10, 10]', state.score >= -10 && state.score <= 10);
    check('GetRelationsState AZ/IR: evidence cited',
          state.evidence.length > 0 &&
          state.evidence.every((e) => e.citations.length > 0 && e.citations.every((c) => citationOk(c, articleIds))),
          `${state.evidence.length} events`);
    const byName = await tryCall('GetRelationsState Baku/Iran', query, 'getRelationsState',
                                 { countryA: 'Baku', countryB: 'Iran', minSequence });
    if (byName) {
      check('GetRelationsState Baku/Iran resolves to AZ/IR with the same state',
            byName.countryA === 'AZ' && byName.countryB === 'IR' && byName.level === state.level &&
            byName.score === state.score);
    }
  }

  // --- ListRelationsTimeline AZ/IR (monthly by default).
  const timeline = await tryCall('ListRelationsTimeline AZ/IR', query, 'listRelationsTimeline',
                                 { countryA: 'AZ', countryB: 'IR', minSequence });
  if (timeline) {
    const points = timeline.points;
    const times = points.map((p) => Number(p.asOf?.seconds ?? 0));
    check('ListRelationsTimeline AZ/IR: points, oldest first',
          points.length > 0 && times.every((t, i) => i === 0 || times[i - 1] < t),
          points.length ? `${points.length} points ${isoDay(points[0].asOf)} .. ${isoDay(points.at(-1).asOf)}` : 'none');
    check('ListRelationsTimeline AZ/IR: some point has a level',
          points.some((p) => p.level !== 'RELATIONS_LEVEL_UNSPECIFIED'));
  }

  // --- ListEvents AZ/IR: oldest first, undated last, every event cited.
  const events = await listAll('ListEvents AZ/IR', query, 'listEvents',
                               { countryA: 'AZ', countryB: 'IR', minSequence }, 'events');
  if (events) {
    const dated = events.filter((e) => e.occurredAt).map((e) => Number(e.occurredAt.seconds));
    const firstUndated = events.findIndex((e) => !e.occurredAt);
    check('ListEvents AZ/IR: oldest first, undated last',
          events.length > 0 && isSorted(dated) &&
          (firstUndated < 0 || events.slice(firstUndated).every((e) => !e.occurredAt)),
          `${events.length} events, ${events.length - dated.length} undated`);
    check('ListEvents AZ/IR: actors AZ and IR, typed, cited',
          events.every((e) => e.actors.includes('AZ') && e.actors.includes('IR') &&
                              e.type !== 'EVENT_TYPE_UNSPECIFIED' && e.citations.length > 0 &&
                              e.citations.every((c) => citationOk(c, articleIds))));
  }

  // --- ListAgreements (all, and with party AZ), paged.
  const agreements = await listAll('ListAgreements', query, 'listAgreements', { minSequence }, 'agreements');
  if (agreements) {
    check('ListAgreements: at least one agreement', agreements.length > 0, `${agreements.length}`);
    check('ListAgreements: ordered by id, parties sorted',
          isSorted(agreements.map((a) => a.agreementId)) && agreements.every((a) => isSorted(a.parties)));
    check('ListAgreements: every agreement cited',
          agreements.every((a) => a.citations.length > 0 && a.citations.every((c) => citationOk(c, articleIds))));
    for (const a of agreements) {
      note(`${a.agreementId}: ${a.name} [${a.parties.join(',')}] ${a.status.replace('AGREEMENT_STATUS_', '')}`);
    }
    const withAz = await tryCall('ListAgreements country=Azerbaijan', query, 'listAgreements',
                                 { country: 'Azerbaijan', pageSize: 1000, minSequence });
    if (withAz) {
      check('ListAgreements country=Azerbaijan: only agreements with AZ',
            withAz.agreements.length > 0 && withAz.agreements.every((a) => a.parties.includes('AZ')),
            `${withAz.agreements.length}`);
    }
    if (agreements.length > 0) {
      const one = await tryCall('GetAgreement', query, 'getAgreement',
                                { agreementId: agreements[0].agreementId, minSequence });
      if (one) check('GetAgreement returns the listed agreement', one.name === agreements[0].name);
    }
  }

  // --- ListFigures.
  const figures = await listAll('ListFigures', query, 'listFigures', { minSequence }, 'figures');
  if (figures) {
    check('ListFigures: at least one figure', figures.length > 0, `${figures.length}`);
    check('ListFigures: every figure cited with its original text',
          figures.every((f) => citationOk(f.citation, articleIds) && f.originalText !== '' && f.unit !== ''));
    const border = await tryCall('ListFigures border_length AZ', query, 'listFigures',
                                 { country: 'AZ', quantity: 'border_length', pageSize: 1000, minSequence });
    if (border) {
      check('ListFigures country=AZ quantity=border_length: only those',
            border.figures.every((f) => f.quantity === 'border_length' && f.parties.includes('AZ')),
            border.figures.map((f) => `${f.value} ${f.unit}`).join(', '));
    }
  }

  // --- ListDisputedFigures: the Azerbaijan–Iran border, 132 km vs 44 km.
  const disputes = await listAll('ListDisputedFigures', query, 'listDisputedFigures',
                                 { country: 'IR', minSequence }, 'disputedFigures');
  if (disputes) {
    for (const d of disputes) {
      note(`dispute ${d.quantity} of ${d.subject} [${d.parties.join(',')}]: ` +
           `${d.claims.map((c) => `${c.value} ${c.unit} (${c.citation?.source || c.citation?.articleId})`).join(' vs ')}`);
    }
    const expectsBorder = (expected?.disputed_figures?.exactly ?? [])
      .some((d) => d.quantity === 'border_length');
    if (expectsBorder) {
      const border = disputes.find((d) => d.quantity === 'border_length' &&
                                          d.parties.includes('AZ') && d.parties.includes('IR'));
      check('ListDisputedFigures: AZ–IR border_length disputed', Boolean(border));
      if (border) {
        check('ListDisputedFigures: border 44 km vs 132 km',
              border.unit === 'm' && border.minValue === 44000 && border.maxValue === 132000,
              `${border.minValue}..${border.maxValue} ${border.unit}`);
        const values = border.claims.map((c) => c.value);
        check('ListDisputedFigures: border claims are 132000 and 44000, each cited',
              values.includes(132000) && values.includes(44000) &&
              values.every((v) => v === 132000 || v === 44000) &&
              border.claims.every((c) => citationOk(c.citation, articleIds)),
              `${border.claims.length} claims`);
      }
    } else {
      note('corpus expects no border dispute: not checked');
    }
  }

  // --- INVALID_ARGUMENT for an unknown country, with google.rpc.BadRequest details.
  const bad = await unary(query, 'getRelationsState', { countryA: 'Atlantis', countryB: 'IR' })
    .then(() => null, (err) => err);
  check('GetRelationsState Atlantis/IR: INVALID_ARGUMENT', bad?.code === grpc.status.INVALID_ARGUMENT,
        bad ? describeError(bad) : 'call succeeded');
  if (bad?.code === grpc.status.INVALID_ARGUMENT) {
    check('INVALID_ARGUMENT message names the argument (country_a)',
          /country_a|countryA/.test(bad.details ?? ''), JSON.stringify(bad.details));
    const raw = bad.metadata?.get('grpc-status-details-bin') ?? [];
    if (raw.length === 0) {
      note('no grpc-status-details-bin trailer (no google.rpc.BadRequest details sent)');
    } else {
      const status = rpcTypes.Status.decode(raw[0]);
      check('grpc-status-details-bin: Status code and message match the call',
            status.code === bad.code && status.message === bad.details, `code=${status.code}`);
      let fields = [];
      for (const any of status.details) {
        const type = rpcTypes.byTypeUrl(any.type_url ?? any.typeUrl);
        const detail = type ? type.toObject(type.decode(any.value)) : null;
        note(`detail ${any.type_url ?? any.typeUrl}: ${JSON.stringify(detail)}`);
        if (type?.fullName === '.google.rpc.BadRequest') {
          fields = fields.concat((detail.fieldViolations ?? []).map((v) => v.field));
        }
      }
      check('google.rpc.BadRequest names field country_a', fields.includes('country_a'),
            `fields: ${fields.join(', ') || 'none'}`);
    }
  }
  const badList = await unary(query, 'listAgreements', { country: 'Atlantis' }).then(() => null, (e) => e);
  check('ListAgreements country=Atlantis: INVALID_ARGUMENT naming country',
        badList?.code === grpc.status.INVALID_ARGUMENT && /country/.test(badList.details ?? ''),
        badList ? describeError(badList) : 'call succeeded');

  ingest.close();
  query.close();
}

try {
  await main();
} catch (err) {
  check('scenario ran to the end', false, err?.stack ?? String(err));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
