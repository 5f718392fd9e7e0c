"""End to end: the real ingest and query services, driven by a Python client
generated from proto/. Streams the five seed articles with their metadata and
checks the ingest contract (outcomes, sequences, duplicates, rejections), the
read-your-writes path (GetArticle with min_sequence) and argument errors."""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

SHARED = harness.shared_dir_or_skip()
STUBS = harness.load_stubs()
import grpc  # noqa: E402
import relmon_client  # noqa: E402  (put on sys.path by harness.load_stubs)

SEEDS_JSONL = os.path.join(SHARED, "corpus", "seeds.jsonl")
with open(os.path.join(SHARED, "corpus", "seeds.expected.json"), encoding="utf-8") as f:
    EXPECTED = json.load(f)


class EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster().start()
        cls.client = cls.cluster.client()
        cls.items = relmon_client.read_jsonl(SEEDS_JSONL, STUBS)
        cls.results, cls.max_sequence = cls.client.ingest(cls.items)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        codes = cls.cluster.stop()
        ok = all(code == 0 for code in codes.values())
        cls.cluster.keep = not ok
        cls.cluster.cleanup()
        if not ok:
            raise AssertionError(f"services did not exit 0 on SIGTERM: {codes}")

    def ordered_results(self):
        return [self.results[ref] for ref, _ in self.items]

    def test_seeds_are_accepted_with_increasing_sequences(self):
        self.assertEqual(len(self.results), 5, self.results)
        previous = 0
        for ref, _ in self.items:
            response = self.results[ref]
            self.assertEqual(response.outcome, STUBS.ingest.INGEST_OUTCOME_ACCEPTED,
                             f"{ref}: {response}")
            self.assertTrue(response.article_id, ref)
            self.assertGreater(response.sequence, previous, f"{ref}: sequences must increase")
            previous = response.sequence
        ids = [r.article_id for r in self.ordered_results()]
        self.assertEqual(len(set(ids)), 5, f"article ids must be distinct: {ids}")

    def test_articles_are_readable_with_their_dates(self):
        expected = {item["file"]: item["date"] for item in EXPECTED["article_dates"]}
        for ref, _ in self.items:
            response = self.results[ref]
            summary = self.client.article(response.article_id, min_sequence=self.max_sequence)
            self.assertEqual(summary.article_id, response.article_id)
            self.assertEqual(summary.sequence, response.sequence,
                             f"{ref}: both name the position after which its facts are visible")
            self.assertEqual(relmon_client.ts_date(summary.published_at), expected[ref],
                             f"{ref}: published_at")

    def test_resending_gives_duplicate_with_the_original_id(self):
        ref, article = self.items[0]
        original = self.results[ref]
        again = STUBS.article.Article()
        again.CopyFrom(article)
        renamed = STUBS.article.Article()
        renamed.CopyFrom(article)
        renamed.id = "another-id-for-the-same-text"
        results, _ = self.client.ingest([("again", again), ("renamed", renamed)])
        for name in ("again", "renamed"):
            self.assertEqual(results[name].outcome, STUBS.ingest.INGEST_OUTCOME_DUPLICATE,
                             f"{name}: {results[name]}")
            self.assertEqual(results[name].article_id, original.article_id, name)
        # Nothing was added: IngestArticle of the same text is a duplicate too.
        single = self.client.ingest_stub.IngestArticle(
            STUBS.ingest.IngestArticleRequest(article=article), timeout=60)
        self.assertEqual(single.outcome, STUBS.ingest.INGEST_OUTCOME_DUPLICATE)
        self.assertEqual(single.article_id, original.article_id)

    def test_empty_text_is_rejected_and_the_stream_goes_on(self):
        empty = STUBS.article.Article(text="")
        blank = STUBS.article.Article(text="   \n  ")
        fine = STUBS.article.Article(
            text="ANKARA, 3 March 2024\n\nTurkey and Greece held talks on Sunday on "
                 "trade, the foreign ministries of both countries said. The end-to-end test "
                 "wrote this text.")
        results, _ = self.client.ingest([("empty", empty), ("blank", blank), ("fine", fine)])
        self.assertEqual(len(results), 3, results)
        for name in ("empty", "blank"):
            self.assertEqual(results[name].outcome, STUBS.ingest.INGEST_OUTCOME_REJECTED,
                             f"{name}: {results[name]}")
            self.assertTrue(results[name].message, f"{name}: a rejection says why")
            self.assertEqual(results[name].sequence, 0, name)
        self.assertEqual(results["fine"].outcome, STUBS.ingest.INGEST_OUTCOME_ACCEPTED,
                         results["fine"])
        summary = self.client.article(results["fine"].article_id,
                                      min_sequence=results["fine"].sequence)
        self.assertEqual(relmon_client.ts_date(summary.published_at), "2024-03-03")

    def test_unknown_country_is_invalid_argument_naming_the_argument(self):
        for a, b, argument in (("Atlantis", "Iran", "country_a"), ("AZ", "Narnia", "country_b")):
            with self.assertRaises(grpc.RpcError) as caught:
                self.client.state(a, b, min_sequence=self.max_sequence)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            message = caught.exception.details() or ""
            self.assertTrue(re.search(argument.replace("_", r"[_ ]?"), message, re.I),
                            f"message should name {argument}: {message!r}")
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.agreements(country="Atlantis", min_sequence=self.max_sequence)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("country", (caught.exception.details() or "").lower())

    def test_pair_without_data_is_unspecified(self):
        state = self.client.state("Japan", "Brazil", min_sequence=self.max_sequence)
        self.assertEqual(state.level, STUBS.facts.RELATIONS_LEVEL_UNSPECIFIED, state)
        self.assertEqual(state.event_count, 0)
        self.assertEqual(sorted([state.country_a, state.country_b]), ["BR", "JP"])

    def test_names_and_capitals_resolve_to_a_sorted_pair(self):
        by_name = self.client.state("Iran", "Azerbaijan", min_sequence=self.max_sequence)
        by_capital = self.client.state("Baku", "Tehran", min_sequence=self.max_sequence)
        for state in (by_name, by_capital):
            self.assertEqual((state.country_a, state.country_b), ("AZ", "IR"))
        self.assertEqual(by_name.level, by_capital.level)
        self.assertNotEqual(by_name.level, STUBS.facts.RELATIONS_LEVEL_UNSPECIFIED)

    def test_unknown_article_is_not_found(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.article("no-such-article", min_sequence=self.max_sequence)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_log_is_dense_recorded_then_analyzed(self):
        call = self.client.ingest_stub.SubscribeEvents(
            STUBS.ingest.SubscribeEventsRequest(from_sequence=1), timeout=60)
        events = []
        for response in call:
            events.append(response.event)
            if response.event.sequence >= self.max_sequence:
                break
        call.cancel()
        self.assertEqual([e.sequence for e in events], list(range(1, len(events) + 1)))
        recorded = [e for e in events if e.WhichOneof("payload") == "article_recorded"]
        self.assertGreaterEqual(len(recorded), 5)
        for i, event in enumerate(events):
            if event.WhichOneof("payload") == "article_recorded":
                self.assertLess(i + 1, len(events), "ArticleRecorded is last in the log")
                following = events[i + 1]
                self.assertEqual(following.WhichOneof("payload"), "article_analyzed")
                self.assertEqual(following.article_analyzed.article_id,
                                 event.article_recorded.article.id)
        # The seeds' metadata is kept: the source of the first seed.
        first = self.results[self.items[0][0]].article_id
        sources = {e.article_recorded.article.id: e.article_recorded.article.source
                   for e in recorded}
        self.assertEqual(sources[first], "Anadolu Agency")


if __name__ == "__main__":
    harness.run_unittest_main()
