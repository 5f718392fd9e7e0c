"""Crash recovery: kill -9 the ingest service right after acknowledgements,
restart it on the same data dir and port, and check that every acknowledged
article survived, that the log is dense (no gaps, no repeats), that new
ingests continue the sequence and that the query service, left running,
catches up by itself. Then the same for a kill -9 of the query service, and
a SIGTERM in the middle of a stream (drain, exit 0, nothing acknowledged lost)."""

import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

STUBS = harness.load_stubs()
import grpc  # noqa: E402

COUNTRIES = [("Azerbaijan", "Iran"), ("Turkey", "Armenia"), ("India", "China"),
             ("Japan", "South Korea"), ("Greece", "Turkey"), ("Kenya", "Uganda")]
VERBS = ["held talks on trade", "signed a memorandum on transport",
         "discussed border security", "agreed to expand cooperation"]


def article_text(i):
    a, b = COUNTRIES[i % len(COUNTRIES)]
    day = 1 + i % 28
    return (f"CAPITAL, {day} March 2024\n\nOfficials of {a} and {b} {VERBS[i % len(VERBS)]} "
            f"on Tuesday, the foreign ministries said in statement number {i}. "
            f"The crash-recovery test generated this story with serial {i * 7919}.")


def read_log(stub, until_sequence, timeout=60):
    """SubscribeEvents from 1 until `until_sequence` (then cancels the follow)."""
    call = stub.SubscribeEvents(STUBS.ingest.SubscribeEventsRequest(from_sequence=1),
                                timeout=timeout)
    events = []
    for response in call:
        events.append(response.event)
        if response.event.sequence >= until_sequence:
            break
    call.cancel()
    return events


class CrashRecoveryTest(unittest.TestCase):
    def setUp(self):
        self.cluster = harness.Cluster().start()

    def tearDown(self):
        codes = self.cluster.stop()
        ok = all(code == 0 for code in codes.values())
        self.cluster.keep = not ok
        self.cluster.cleanup()
        self.assertTrue(ok, f"services did not exit 0 on SIGTERM: {codes}")

    def stream_until_killed(self, total, kill_after):
        """Streams `total` articles and kill -9s the ingest service as soon as
        `kill_after` acknowledgements have arrived. Returns the acks seen."""
        stub = self.cluster.ingest_stub()
        requests = (STUBS.ingest.StreamArticlesRequest(
            article=STUBS.article.Article(text=article_text(i)), client_ref=str(i))
            for i in range(total))
        acks = []
        try:
            for response in stub.StreamArticles(requests, timeout=120):
                acks.append(response)
                if len(acks) == kill_after:
                    self.cluster.ingest.kill()
        except grpc.RpcError as error:
            self.assertIn(error.code(), (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                         grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN),
                          error)
        self.assertGreaterEqual(len(acks), kill_after,
                                f"only {len(acks)} acks before the kill\n{self.cluster.logs()}")
        self.assertFalse(self.cluster.ingest.alive())
        return acks

    def check_log(self, until_sequence, acked_ids):
        events = read_log(self.cluster.ingest_stub(), until_sequence)
        sequences = [e.sequence for e in events]
        self.assertEqual(sequences, list(range(1, until_sequence + 1)),
                         "the log must be dense from 1, without gaps or repeats")
        recorded = []
        for i, event in enumerate(events):
            if event.WhichOneof("payload") == "article_recorded":
                self.assertEqual(events[i + 1].WhichOneof("payload"), "article_analyzed",
                                 f"sequence {event.sequence}: Recorded not followed by Analyzed")
                recorded.append(event.article_recorded.article.id)
        self.assertEqual(len(recorded), len(set(recorded)), "an article recorded twice")
        missing = set(acked_ids) - set(recorded)
        self.assertFalse(missing, f"acknowledged articles lost by kill -9: {sorted(missing)}")
        return recorded

    def test_ingest_kill9_keeps_acknowledged_articles(self):
        acks = self.stream_until_killed(total=400, kill_after=60)
        accepted = [a for a in acks if a.outcome == STUBS.ingest.INGEST_OUTCOME_ACCEPTED]
        self.assertEqual(len(accepted), len(acks), [a for a in acks if a not in accepted][:3])
        acked_ids = [a.article_id for a in accepted]
        max_acked = max(a.sequence for a in accepted)

        self.cluster.restart_ingest()
        ingest = self.cluster.ingest_stub()
        # New ingests continue the sequence after whatever was durable.
        fresh = ingest.IngestArticle(STUBS.ingest.IngestArticleRequest(
            article=STUBS.article.Article(text=article_text(10_000))), timeout=60)
        self.assertEqual(fresh.outcome, STUBS.ingest.INGEST_OUTCOME_ACCEPTED, fresh)
        self.assertGreater(fresh.sequence, max_acked)
        recorded = self.check_log(fresh.sequence, acked_ids + [fresh.article_id])
        self.assertEqual(recorded[-1], fresh.article_id)
        # Acknowledged articles are duplicates now (the dedupe index survived).
        again = ingest.IngestArticle(STUBS.ingest.IngestArticleRequest(
            article=STUBS.article.Article(text=article_text(0))), timeout=60)
        self.assertEqual(again.outcome, STUBS.ingest.INGEST_OUTCOME_DUPLICATE, again)
        self.assertEqual(again.article_id, acks[0].article_id)

        # The query service was left running: it reconnects and catches up.
        self.assertTrue(self.cluster.query.alive())
        query = self.cluster.query_stub()
        for article_id in acked_ids + [fresh.article_id]:
            summary = query.GetArticle(STUBS.query.GetArticleRequest(
                article_id=article_id, min_sequence=fresh.sequence), timeout=90)
            self.assertEqual(summary.article_id, article_id)

    def test_sigterm_during_a_stream_drains_and_exits_0(self):
        stub = self.cluster.ingest_stub()
        requests = (STUBS.ingest.StreamArticlesRequest(
            article=STUBS.article.Article(text=article_text(i)), client_ref=str(i))
            for i in range(400))
        acks = []
        try:
            for response in stub.StreamArticles(requests, timeout=120):
                acks.append(response)
                if len(acks) == 30:
                    self.cluster.ingest.process.send_signal(signal.SIGTERM)
        except grpc.RpcError:
            pass  # the server may end the stream while draining
        code = self.cluster.ingest.process.wait(timeout=60)
        self.assertEqual(code, 0, f"exit code after SIGTERM mid-stream\n{self.cluster.logs()}")
        self.cluster.restart_ingest()
        fresh = self.cluster.ingest_stub().IngestArticle(STUBS.ingest.IngestArticleRequest(
            article=STUBS.article.Article(text=article_text(20_000))), timeout=60)
        self.check_log(fresh.sequence, [a.article_id for a in acks] + [fresh.article_id])

    def test_query_kill9_resumes_from_its_cursor(self):
        stub = self.cluster.ingest_stub()
        requests = [STUBS.ingest.StreamArticlesRequest(
            article=STUBS.article.Article(text=article_text(i)), client_ref=str(i))
            for i in range(40)]
        acks = list(stub.StreamArticles(iter(requests), timeout=120))
        self.assertEqual(len(acks), 40)
        last = max(a.sequence for a in acks)
        query = self.cluster.query_stub()
        query.GetArticle(STUBS.query.GetArticleRequest(
            article_id=acks[-1].article_id, min_sequence=last), timeout=90)
        self.cluster.query.kill()
        # More articles while the query service is down.
        more = list(stub.StreamArticles(iter([STUBS.ingest.StreamArticlesRequest(
            article=STUBS.article.Article(text=article_text(i)), client_ref=str(i))
            for i in range(40, 60)]), timeout=120))
        newest = max(a.sequence for a in more)
        self.cluster.restart_query()
        query = self.cluster.query_stub()
        for ack in acks + more:
            summary = query.GetArticle(STUBS.query.GetArticleRequest(
                article_id=ack.article_id, min_sequence=newest), timeout=90)
            self.assertEqual(summary.article_id, ack.article_id)
            # Events are applied once: the summary's counts are not doubled.
            self.assertEqual(summary.sequence, ack.sequence)


if __name__ == "__main__":
    harness.run_unittest_main()
