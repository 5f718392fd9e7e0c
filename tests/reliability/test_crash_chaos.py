"""Crash chaos: several clients stream articles while the ingest service is
kill -9'd at seeded random moments, many times, and restarted on the same data
dir and port. Clients resend what was not acknowledged (as a real client
would). At the end every acknowledged article must be in the log exactly once,
the log dense (1..N, Recorded+Analyzed pairs), and GetArticle via the query
service (left running throughout) must find each one.

Then the query service is kill -9'd repeatedly while it catches up a large
log, and its answers to every RPC (all dyads, agreements, figures, disputes,
articles) must equal those of a fresh query service started with --rebuild.

  test_crash_chaos.py                       # CI: ~6 cycles, < 60 s
  test_crash_chaos.py --cycles 200 --clients 4 --seed 7 --time-limit 3600
Prints one summary line per scenario (cycles, articles, acknowledged, lost).
"""

import argparse
import os
import random
import shutil
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reliability_common as rc  # noqa: E402
from reliability_common import STUBS, grpc, harness  # noqa: E402

ARGS = argparse.Namespace(cycles=6, clients=3, seed=20261123, time_limit=50.0, batch=200,
                          query_kills=3, query_articles=250, catch_up=120.0)
ACCEPTED = STUBS.ingest.INGEST_OUTCOME_ACCEPTED
DUPLICATE = STUBS.ingest.INGEST_OUTCOME_DUPLICATE


class Writer:
    """One client: streams its own articles; unacknowledged ones are resent
    in the next cycle."""

    def __init__(self, tag, rng):
        self.tag = tag
        self.rng = rng
        self.next_serial = 0
        self.pending = []          # serials sent but not acknowledged
        self.acked = {}            # serial -> (article_id, sequence, outcome)
        self.errors = []

    def batch(self):
        # Resend pending first, then new articles; the stream is long enough
        # to outlast the kill.
        serials = list(self.pending)
        for _ in range(ARGS.batch):
            serials.append(self.next_serial)
            self.next_serial += 1
        self.pending = []
        return serials

    def run(self, stub):
        serials = self.batch()
        unacked = set(serials)
        requests = (rc.stream_request(rc.article_text(self.tag, s), str(s)) for s in serials)
        try:
            for response in stub.StreamArticles(requests, timeout=60):
                serial = int(response.client_ref)
                if response.outcome not in (ACCEPTED, DUPLICATE):
                    self.errors.append(f"{self.tag}/{serial}: outcome {response.outcome} "
                                       f"{response.message}")
                    continue
                previous = self.acked.get(serial)
                if previous is not None and previous[0] != response.article_id:
                    self.errors.append(f"{self.tag}/{serial}: id changed {previous[0]} -> "
                                       f"{response.article_id}")
                if previous is None:
                    self.acked[serial] = (response.article_id, response.sequence,
                                          response.outcome)
                unacked.discard(serial)
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                    grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN,
                                    grpc.StatusCode.DEADLINE_EXCEEDED):
                self.errors.append(f"{self.tag}: unexpected status {error.code()} {error}")
        # Resend what was sent and not acknowledged (it may be durable: then
        # the resend must come back DUPLICATE, never be stored twice).
        self.pending = sorted(unacked)


class CrashChaosTest(unittest.TestCase):
    def setUp(self):
        self.cluster = harness.Cluster(prefix="relmon-chaos-").start()
        self.rng = random.Random(ARGS.seed)

    def tearDown(self):
        codes = self.cluster.stop()
        ok = all(code == 0 for code in codes.values())
        self.cluster.keep = not ok or self._outcome_failed()
        self.cluster.cleanup()
        self.assertTrue(ok, f"services did not exit 0 on SIGTERM: {codes}")

    def _outcome_failed(self):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(outcome, "errors", None) or []
        return any(exc for _, exc in errors)

    def test_ingest_kill9_under_concurrent_streams(self):
        deadline = rc.Deadline(ARGS.time_limit)
        writers = [Writer(f"w{k}", self.rng) for k in range(ARGS.clients)]
        cycles = 0
        start = time.monotonic()
        while cycles < ARGS.cycles and not deadline.expired():
            stubs = [self.cluster.ingest_stub() for _ in writers]
            threads = rc.run_threads([lambda w=w, s=s: w.run(s)
                                      for w, s in zip(writers, stubs)])
            time.sleep(self.rng.uniform(0.05, 0.8))
            self.cluster.ingest.kill()
            for t in threads:
                t.join(timeout=60)
                self.assertFalse(t.is_alive(), "a client hung after the kill")
            self.cluster.restart_ingest()
            cycles += 1
        # A final pass without a kill flushes every pending resend.
        stubs = [self.cluster.ingest_stub() for _ in writers]
        for w, s in zip(writers, stubs):
            w.pending, saved_next = w.pending, w.next_serial
            serials = list(w.pending)
            acks = list(s.StreamArticles(iter(
                [rc.stream_request(rc.article_text(w.tag, x), str(x)) for x in serials]),
                timeout=120))
            for response in acks:
                serial = int(response.client_ref)
                self.assertIn(response.outcome, (ACCEPTED, DUPLICATE), response)
                if serial in w.acked:
                    self.assertEqual(w.acked[serial][0], response.article_id)
                else:
                    w.acked[serial] = (response.article_id, response.sequence, response.outcome)
            w.pending = []
            self.assertEqual(w.next_serial, saved_next)
        for w in writers:
            self.assertFalse(w.errors, w.errors[:5])

        fresh = self.cluster.ingest_stub().IngestArticle(STUBS.ingest.IngestArticleRequest(
            article=STUBS.article.Article(text=rc.article_text("final", 0))), timeout=60)
        self.assertEqual(fresh.outcome, ACCEPTED, fresh)
        events = rc.read_log(self.cluster.ingest_stub(), fresh.sequence)
        recorded = rc.check_dense_log(self, events, fresh.sequence)
        recorded_set = set(recorded)
        acked_ids = {a[0] for w in writers for a in w.acked.values()}
        sent = sum(w.next_serial for w in writers)
        lost = acked_ids - recorded_set
        self.assertFalse(lost, f"acknowledged articles lost: {sorted(lost)[:10]}")
        # Every article ever sent was finally acknowledged (the final pass),
        # so the log holds exactly the sent articles plus the final one.
        self.assertEqual(len(acked_ids), sent)
        self.assertEqual(recorded_set, acked_ids | {fresh.article_id})
        # Accepted acks carry the sequence of their ArticleRecorded.
        by_sequence = {e.sequence: e for e in events}
        for w in writers:
            for serial, (article_id, sequence, outcome) in w.acked.items():
                if outcome == ACCEPTED:
                    # The ack's sequence is the ArticleAnalyzed, right after
                    # the ArticleRecorded of the same article.
                    self.assertEqual(by_sequence[sequence].WhichOneof("payload"),
                                     "article_analyzed")
                    recorded_event = by_sequence[sequence - 1]
                    self.assertEqual(recorded_event.article_recorded.article.id, article_id)
        # The query service, left running through all the kills, catches up
        # and has each article once.
        query = self.cluster.query_stub()
        catch_up_start = time.monotonic()
        catch_up = rc.Deadline(ARGS.catch_up)
        while True:
            try:
                query.GetArticle(STUBS.query.GetArticleRequest(
                    article_id=fresh.article_id, min_sequence=fresh.sequence), timeout=10)
                break
            except grpc.RpcError as error:
                self.assertEqual(error.code(), grpc.StatusCode.DEADLINE_EXCEEDED, error)
                self.assertFalse(catch_up.expired(), f"query service behind: {error.details()}")
        catch_up_seconds = time.monotonic() - catch_up_start
        for article_id in sorted(acked_ids):
            summary = query.GetArticle(STUBS.query.GetArticleRequest(
                article_id=article_id, min_sequence=fresh.sequence), timeout=30)
            self.assertEqual(summary.article_id, article_id)
        duplicates = sum(1 for w in writers for a in w.acked.values() if a[2] == DUPLICATE)
        print(f"CHAOS ingest: seed={ARGS.seed} cycles={cycles} clients={len(writers)} "
              f"articles_sent={sent} acknowledged={len(acked_ids)} "
              f"acked_as_duplicate_after_resend={duplicates} log_events={fresh.sequence} "
              f"lost=0 query_catch_up_after_last_write_s={catch_up_seconds:.1f} "
              f"seconds={time.monotonic() - start:.1f}", flush=True)

    def test_query_kill9_mid_apply_equals_rebuild(self):
        ingest = self.cluster.ingest_stub()
        texts = [rc.article_text("q", i) for i in range(ARGS.query_articles)]
        # The shared corpus, when present, adds real agreements and figures.
        shared = os.environ.get("RELMON_SHARED_DIR")
        for folder in ("seeds", "dev"):
            path = os.path.join(shared or "/nonexistent", "corpus", folder)
            if os.path.isdir(path):
                for name in sorted(os.listdir(path)):
                    if name.endswith(".txt"):
                        with open(os.path.join(path, name), encoding="utf-8") as f:
                            texts.append(f.read())
        # Stop the follower so the whole log is a backlog to catch up.
        self.cluster.query.kill()
        acks = list(ingest.StreamArticles(iter(
            [rc.stream_request(t, str(i)) for i, t in enumerate(texts)]), timeout=300))
        self.assertEqual(len(acks), len(texts))
        last = max(a.sequence for a in acks)
        article_ids = sorted({a.article_id for a in acks})
        kills = 0
        for _ in range(ARGS.query_kills):
            self.cluster.restart_query()
            time.sleep(self.rng.uniform(0.0, 0.4))
            self.cluster.query.kill()
            kills += 1
        self.cluster.restart_query()
        query = self.cluster.query_stub()
        query.GetArticle(STUBS.query.GetArticleRequest(article_id=acks[-1].article_id,
                                                      min_sequence=last), timeout=120)
        # A fresh follower with --rebuild on its own dir.
        rebuilt_dir = os.path.join(self.cluster.root, "query-rebuilt")
        rebuilt = harness.Service("query-service", [
            "--listen=127.0.0.1:0", f"--data_dir={rebuilt_dir}",
            f"--ingest_target={self.cluster.ingest.address}", "--http_listen=", "--rebuild"],
            self.cluster.root).start()
        try:
            channel = grpc.insecure_channel(rebuilt.address, options=[
                ("grpc.max_receive_message_length", 256 * 1024 * 1024)])
            fresh = STUBS.query_grpc.QueryServiceStub(channel)
            fresh.GetArticle(STUBS.query.GetArticleRequest(article_id=acks[-1].article_id,
                                                          min_sequence=last), timeout=120)
            compared = compare_views(self, query, fresh, article_ids, last)
            channel.close()
        finally:
            self.assertEqual(rebuilt.stop(), 0)
        print(f"CHAOS query: seed={ARGS.seed} articles={len(texts)} log_events={last} "
              f"kills_mid_apply={kills} rpc_answers_compared={compared} differences=0",
              flush=True)


def _ts(year, month, day):
    import calendar
    from google.protobuf import timestamp_pb2
    return timestamp_pb2.Timestamp(seconds=calendar.timegm((year, month, day, 0, 0, 0)))


def _without_as_of(state):
    state.ClearField("as_of")
    return state


def _all_pages(method, request, field):
    items = []
    while True:
        response = method(request, timeout=60)
        items.extend(getattr(response, field))
        if not response.next_page_token:
            return items
        request.page_token = response.next_page_token


def compare_views(test, a, b, article_ids, min_sequence):
    """Asserts equal answers of both query services to every RPC; returns the
    number of answers compared."""
    q = STUBS.query
    compared = 0

    def same(what, call):
        nonlocal compared
        results = []
        for stub in (a, b):
            try:
                results.append(("ok", call(stub)))
            except grpc.RpcError as error:
                results.append(("error", error.code()))
        test.assertEqual(results[0], results[1], f"views differ on {what}")
        compared += 1

    for article_id in article_ids:
        same(f"GetArticle {article_id}", lambda s: s.GetArticle(
            q.GetArticleRequest(article_id=article_id, min_sequence=min_sequence), timeout=60))
    countries = sorted({c for pair in rc.PAIRS for c in pair})
    for i, x in enumerate(countries):
        for y in countries[i + 1:]:
            # "Latest" states are stamped with the time of the call: compare
            # them without as_of, and states at a fixed instant in full.
            same(f"state {x}-{y}", lambda s: _without_as_of(s.GetRelationsState(
                q.GetRelationsStateRequest(country_a=x, country_b=y), timeout=60)))
            same(f"state {x}-{y} as of 2024-12-31", lambda s: s.GetRelationsState(
                q.GetRelationsStateRequest(country_a=x, country_b=y, as_of=_ts(2024, 12, 31)),
                timeout=60))
            same(f"timeline {x}-{y}", lambda s: s.ListRelationsTimeline(
                q.ListRelationsTimelineRequest(country_a=x, country_b=y,
                                               start_time=_ts(2020, 1, 1),
                                               end_time=_ts(2025, 1, 1)), timeout=60))
            same(f"events {x}-{y}", lambda s: _all_pages(
                s.ListEvents, q.ListEventsRequest(country_a=x, country_b=y, page_size=50),
                "events"))
    agreements = _all_pages(a.ListAgreements, q.ListAgreementsRequest(page_size=50), "agreements")
    same("ListAgreements", lambda s: _all_pages(
        s.ListAgreements, q.ListAgreementsRequest(page_size=50), "agreements"))
    for agreement in agreements:
        same(f"GetAgreement {agreement.agreement_id}", lambda s: s.GetAgreement(
            q.GetAgreementRequest(agreement_id=agreement.agreement_id), timeout=60))
    same("ListFigures", lambda s: _all_pages(
        s.ListFigures, q.ListFiguresRequest(page_size=100), "figures"))
    same("ListDisputedFigures", lambda s: _all_pages(
        s.ListDisputedFigures, q.ListDisputedFiguresRequest(page_size=100), "disputed_figures"))
    for country in countries:
        same(f"figures {country}", lambda s: _all_pages(
            s.ListFigures, q.ListFiguresRequest(country=country, page_size=100), "figures"))
        same(f"agreements {country}", lambda s: _all_pages(
            s.ListAgreements, q.ListAgreementsRequest(country=country, page_size=50),
            "agreements"))
    return compared


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=ARGS.cycles)
    parser.add_argument("--clients", type=int, default=ARGS.clients)
    parser.add_argument("--seed", type=int, default=ARGS.seed)
    parser.add_argument("--time-limit", type=float, default=ARGS.time_limit,
                        help="seconds the kill loop may run (it stops early, counted)")
    parser.add_argument("--batch", type=int, default=ARGS.batch,
                        help="new articles per client per cycle")
    parser.add_argument("--catch-up", type=float, default=ARGS.catch_up,
                        help="seconds the query service may take to catch up at the end")
    parser.add_argument("--query-kills", type=int, default=ARGS.query_kills)
    parser.add_argument("--query-articles", type=int, default=ARGS.query_articles)
    ARGS, rest = parser.parse_known_args(namespace=ARGS)
    sys.argv = [sys.argv[0]] + rest
    harness.run_unittest_main()
