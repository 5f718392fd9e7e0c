"""Hostile input: what a careless or malicious client may send to the ingest
service. Every case asserts its expected outcome (ACCEPTED, REJECTED with a
message naming the problem, or a clear gRPC status), runs within a time
bound, and is followed by a health check (SERVING, process alive). The last
case checks that a normal article is still accepted and visible through the
query service.

Limits come from ingest-service/article_checks.h (ArticleLimits): id 256,
source 512, url 4096, title 2048, language 35 bytes, text 2 MiB
(--max_article_bytes); the server's gRPC receive limit is the text limit plus
64 KiB, so a larger message is refused by gRPC itself (RESOURCE_EXHAUSTED).
"""

import math
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reliability_common as rc  # noqa: E402
from reliability_common import STUBS, grpc, harness  # noqa: E402

ING = STUBS.ingest
ACCEPTED = ING.INGEST_OUTCOME_ACCEPTED
DUPLICATE = ING.INGEST_OUTCOME_DUPLICATE
REJECTED = ING.INGEST_OUTCOME_REJECTED
CASE_SECONDS = 60          # bound of any single case (its gRPC deadline)
MIB = 1 << 20

cluster = None


def setUpModule():
    global cluster
    cluster = harness.Cluster(prefix="relmon-hostile-").start()


def tearDownModule():
    codes = cluster.stop()
    cluster.keep = any(code != 0 for code in codes.values()) or bool(os.environ.get("RELMON_KEEP"))
    cluster.cleanup()
    if cluster.keep:
        raise AssertionError(f"services did not exit 0 on SIGTERM: {codes}")


def normal_text(i=0):
    return rc.article_text("hostile-normal", i)


class HostileInputTest(unittest.TestCase):
    serial = 0

    def setUp(self):
        self.ingest = cluster.ingest_stub()
        self.started = time.monotonic()

    def tearDown(self):
        elapsed = time.monotonic() - self.started
        self.assertTrue(cluster.ingest.alive(), f"ingest-service died\n{cluster.logs()}")
        self.assertEqual(rc.health_status(cluster.ingest.address), "SERVING")
        self.assertEqual(rc.health_status(cluster.query.address), "SERVING")
        self.assertLess(elapsed, CASE_SECONDS + 5, f"{self.id()} took {elapsed:.1f} s")

    # ------------------------------------------------------------ helpers
    def send(self, **fields):
        return self.ingest.IngestArticle(ING.IngestArticleRequest(
            article=STUBS.article.Article(**fields)), timeout=CASE_SECONDS)

    def assert_rejected(self, response, *words):
        self.assertEqual(response.outcome, REJECTED, response)
        self.assertEqual(response.sequence, 0, response)
        for word in words:
            self.assertIn(word, response.message)

    def assert_accepted(self, response):
        self.assertEqual(response.outcome, ACCEPTED, response)
        self.assertGreater(response.sequence, 0)

    def stored_article(self, response):
        """The article as recorded in the log (cleaned text, parsed date)."""
        call = self.ingest.SubscribeEvents(ING.SubscribeEventsRequest(
            from_sequence=response.sequence - 1), timeout=CASE_SECONDS)
        for event in call:
            call.cancel()
            self.assertEqual(event.event.WhichOneof("payload"), "article_recorded")
            return event.event.article_recorded.article
        self.fail("no event")

    def summary(self, response):
        return cluster.query_stub().GetArticle(STUBS.query.GetArticleRequest(
            article_id=response.article_id, min_sequence=response.sequence),
            timeout=CASE_SECONDS)

    def unique(self, text):
        HostileInputTest.serial += 1
        return f"{text}\n\nHostile case {HostileInputTest.serial} from {self.id()}."

    # ------------------------------------------------------------ empty
    def test_empty_text(self):
        self.assert_rejected(self.send(text=""), "article.text", "required")

    def test_whitespace_only_text(self):
        self.assert_rejected(self.send(text=" \t\n\r\u00a0\u2003\u3000 \n"), "whitespace")

    def test_unset_article(self):
        response = self.ingest.IngestArticle(ING.IngestArticleRequest(), timeout=CASE_SECONDS)
        self.assert_rejected(response, "text")

    # ------------------------------------------------------------ invalid UTF-8
    def raw_ingest(self, article_bytes):
        channel = grpc.insecure_channel(cluster.ingest.address)
        try:
            call = rc.raw_unary(channel, "/relations.v1.IngestService/IngestArticle")
            try:
                raw = call(rc.encode_field(1, article_bytes), timeout=CASE_SECONDS)
            except grpc.RpcError as error:
                return error
            return ING.IngestArticleResponse.FromString(raw)
        finally:
            channel.close()

    def assert_not_acknowledged(self, outcome):
        """Whatever the status, a request the server cannot parse is never
        acknowledged (no ACCEPTED/DUPLICATE, no sequence)."""
        if not isinstance(outcome, grpc.RpcError):
            self.assertEqual(outcome.outcome, REJECTED, outcome)
            self.assertEqual(outcome.sequence, 0, outcome)

    def assert_clear_refusal(self, outcome, field):
        """INVALID_ARGUMENT whose message names the field with invalid UTF-8
        (the service parses requests itself: common/parsed_requests.h)."""
        self.assertIsInstance(outcome, grpc.RpcError, outcome)
        self.assertEqual(outcome.code(), grpc.StatusCode.INVALID_ARGUMENT, outcome)
        self.assertIn(f"field article.{field} is not valid UTF-8", outcome.details() or "")

    BAD_UTF8 = (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82")
    METADATA = ((1, "id"), (2, "source"), (3, "url"), (4, "title"), (7, "language"))

    def invalid_utf8_requests(self):
        for bad in self.BAD_UTF8:
            yield "text", rc.encode_field(5, b"Azerbaijan and Iran held talks " + bad + b" today.")
        for number, field in self.METADATA:
            body = rc.encode_field(5, self.unique("Azerbaijan and Iran held talks.").encode())
            yield field, rc.encode_field(number, b"x\xff") + body

    def test_invalid_utf8_below_protobuf_is_not_acknowledged(self):
        for field, article in self.invalid_utf8_requests():
            self.assert_not_acknowledged(self.raw_ingest(article))

    # gRPC 1.51's generated callback handler answered such a request with
    # UNIMPLEMENTED and an empty message; the service now parses the bytes
    # itself and names the field.
    def test_invalid_utf8_below_protobuf_has_a_clear_status(self):
        for field, article in self.invalid_utf8_requests():
            self.assert_clear_refusal(self.raw_ingest(article), field)

    def raw_query(self, method, request_bytes):
        channel = grpc.insecure_channel(cluster.query.address)
        try:
            call = rc.raw_unary(channel, f"/relations.v1.QueryService/{method}")
            try:
                return call(request_bytes, timeout=CASE_SECONDS)
            except grpc.RpcError as error:
                return error
        finally:
            channel.close()

    # The query service parses its requests itself too (and only then looks
    # in its answer cache): invalid UTF-8 or garbage is INVALID_ARGUMENT
    # saying what is wrong, asked twice (the second time cannot come from a
    # cache), and a valid request sent as raw bytes gets the same answer as
    # through the stubs.
    def test_unparsable_query_requests_get_a_clear_status(self):
        for _ in range(2):
            bad_country = rc.encode_field(1, b"Azerbaijan\xff") + rc.encode_field(2, b"Iran")
            outcome = self.raw_query("GetRelationsState", bad_country)
            self.assertIsInstance(outcome, grpc.RpcError, outcome)
            self.assertEqual(outcome.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("country_a is not valid UTF-8", outcome.details() or "")
            outcome = self.raw_query("ListEvents", b"\x0a\xff\xff\xff\x0f")
            self.assertIsInstance(outcome, grpc.RpcError, outcome)
            self.assertEqual(outcome.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("not a valid relations.v1.ListEventsRequest", outcome.details() or "")
        request = STUBS.query.GetRelationsStateRequest(country_a="AZ", country_b="IR")
        raw = self.raw_query("GetRelationsState", request.SerializeToString())
        self.assertNotIsInstance(raw, grpc.RpcError, raw)
        typed = cluster.query_stub().GetRelationsState(request, timeout=CASE_SECONDS)
        self.assertEqual(STUBS.facts.RelationsState.FromString(raw).level, typed.level)

    def raw_stream(self, messages):
        """StreamArticles with raw request bytes: (responses, final status)."""
        channel = grpc.insecure_channel(cluster.ingest.address)
        call = channel.stream_stream("/relations.v1.IngestService/StreamArticles",
                                     request_serializer=lambda b: b,
                                     response_deserializer=ING.StreamArticlesResponse.FromString)
        responses = []
        try:
            for response in call(iter(messages), timeout=CASE_SECONDS):
                responses.append(response)
            return responses, grpc.StatusCode.OK
        except grpc.RpcError as error:
            return responses, error.code()
        finally:
            channel.close()

    def stream_with_bad_utf8(self):
        good = ING.StreamArticlesRequest(article=STUBS.article.Article(
            text=self.unique(normal_text(1))), client_ref="good").SerializeToString()
        bad = rc.encode_field(1, rc.encode_field(5, b"bad \xff text")) + rc.encode_field(2, b"bad")
        after = ING.StreamArticlesRequest(article=STUBS.article.Article(
            text=self.unique(normal_text(6))), client_ref="after").SerializeToString()
        return self.raw_stream([good, bad, after])

    def test_invalid_utf8_in_a_stream_keeps_the_service_up(self):
        responses, code = self.stream_with_bad_utf8()
        refs = {r.client_ref: r for r in responses}
        self.assertEqual(refs["good"].outcome, ACCEPTED)
        self.assert_rejected(refs["bad"], "article.text", "UTF-8")

    # A stream message that did not parse used to end the stream with OK,
    # as if the client had half-closed; now it is REJECTED in its turn (with
    # its client_ref, salvaged from the valid fields) and the stream goes on.
    def test_invalid_utf8_in_a_stream_is_not_silently_dropped(self):
        responses, code = self.stream_with_bad_utf8()
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertEqual([r.client_ref for r in responses], ["good", "bad", "after"])
        self.assertEqual([r.outcome for r in responses], [ACCEPTED, REJECTED, ACCEPTED])

    def test_garbage_stream_messages_are_rejected_in_turn(self):
        good = ING.StreamArticlesRequest(article=STUBS.article.Article(
            text=self.unique(normal_text(7))), client_ref="good").SerializeToString()
        after = ING.StreamArticlesRequest(article=STUBS.article.Article(
            text=self.unique(normal_text(8))), client_ref="after").SerializeToString()
        garbage = [b"\xff" * 64, b"\x0a\xff\xff\xff\xff\x0f", b"\x0c",
                   rc.encode_field(2, b"ref\xff")]
        responses, code = self.raw_stream([good] + garbage + [after])
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertEqual(len(responses), len(garbage) + 2, responses)
        self.assertEqual(responses[0].outcome, ACCEPTED)
        self.assertEqual(responses[-1].client_ref, "after")
        self.assertEqual(responses[-1].outcome, ACCEPTED)
        for n, response in enumerate(responses[1:-1], start=2):
            self.assert_rejected(response)
            self.assertEqual(response.client_ref, "")
            # Without a readable client_ref the answer says which message it is.
            self.assertIn(f"message {n} of this stream", response.message)
        self.assertIn("not a valid relations.v1.StreamArticlesRequest", responses[1].message)
        self.assertIn("client_ref is not valid UTF-8", responses[4].message)

    def raw_call(self, method, payload, streaming=False):
        channel = grpc.insecure_channel(cluster.ingest.address)
        try:
            if streaming:
                call = channel.unary_stream(method, request_serializer=lambda b: b,
                                            response_deserializer=lambda b: b)
                try:
                    for _ in call(payload, timeout=CASE_SECONDS):
                        pass
                except grpc.RpcError as error:
                    return error
                return None
            try:
                return rc.raw_unary(channel, method)(payload, timeout=CASE_SECONDS)
            except grpc.RpcError as error:
                return error
        finally:
            channel.close()

    def test_unparsable_requests_on_every_other_method(self):
        cases = [
            ("/relations.v1.IngestService/SubscribeEvents", b"\x08", True,
             "not a valid relations.v1.SubscribeEventsRequest"),
            ("/relations.v1.IngestService/SubscribeEvents", b"\xff" * 16, True,
             "not a valid relations.v1.SubscribeEventsRequest"),
            ("/relations.v1.AdminService/CreateCheckpoint", rc.encode_field(1, b"dir\xff"), False,
             "field directory is not valid UTF-8"),
            ("/relations.v1.AdminService/StartReanalysis", rc.encode_field(3, b"\xc0\xaf"), False,
             "field source is not valid UTF-8"),
            ("/relations.v1.AdminService/GetReanalysis", b"\x0c", False,
             "not a valid relations.v1.GetReanalysisRequest"),
        ]
        for method, payload, streaming, words in cases:
            outcome = self.raw_call(method, payload, streaming)
            self.assertIsInstance(outcome, grpc.RpcError, (method, outcome))
            self.assertEqual(outcome.code(), grpc.StatusCode.INVALID_ARGUMENT, (method, outcome))
            self.assertIn(words, outcome.details(), method)

    def test_garbage_bytes_as_request(self):
        channel = grpc.insecure_channel(cluster.ingest.address)
        try:
            call = rc.raw_unary(channel, "/relations.v1.IngestService/IngestArticle")
            for garbage in (b"\xff" * 64, b"\x0a\xff\xff\xff\xff\x0f", os.urandom(4096)):
                try:
                    raw = call(garbage, timeout=CASE_SECONDS)
                    # Random bytes can happen to parse (unknown fields): then
                    # it is an article without text.
                    self.assertEqual(ING.IngestArticleResponse.FromString(raw).outcome, REJECTED)
                except grpc.RpcError as error:
                    self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT, error)
                    # Random bytes may frame an article with bad UTF-8 inside.
                    self.assertRegex(error.details(), "not a valid relations.v1.IngestArticle"
                                     "Request|field article.[a-z_.]+ is not valid UTF-8")
        finally:
            channel.close()

    # ------------------------------------------------------------ characters
    def test_nul_in_text_is_rejected(self):
        self.assert_rejected(self.send(text=self.unique("Azerbaijan\x00 and Iran")), "NUL")

    def test_control_characters_in_text_are_cleaned(self):
        controls = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) + "\x7f\x85"
        response = self.send(text=self.unique(f"Azerbaijan{controls} and Iran held talks."))
        self.assert_accepted(response)
        stored = self.stored_article(response).text
        for c in controls:
            if c != "\x85":  # NEL may become a line break
                self.assertNotIn(c, stored)

    def test_control_character_in_metadata_is_rejected(self):
        self.assert_rejected(self.send(text=self.unique("x y z"), source="Agency\x07"),
                             "source", "control")
        self.assert_rejected(self.send(text=self.unique("x y z"), id="id\x01"), "id")

    def test_right_to_left_and_bidi_controls(self):
        text = ("طهران، 12 مارس 2024\n\nأجرى وزيرا خارجية أذربيجان وإيران محادثات. "
                "\u202eIran and Azerbaijan\u202c held talks. שלום \u200f עולם.")
        response = self.send(text=self.unique(text), title="\u202eevil title\u202c")
        self.assert_accepted(response)
        self.assertEqual(self.summary(response).article_id, response.article_id)

    def test_html_and_script(self):
        html = ("<!DOCTYPE html><html><head><script>alert('Iran attacks Azerbaijan')</script>"
                "<style>p{}</style></head><body><nav>menu</nav><p>BAKU, 5 May 2024</p>"
                "<p>Azerbaijan and Iran &amp; friends held talks.<img src=x onerror=alert(1)>"
                "</p><iframe src='javascript:alert(1)'></iframe><p>" + "<b>" * 5000 +
                "deep" + "</b>" * 5000 + "</p><p>" + self.unique("") + "</p></body></html>")
        response = self.send(text=html)
        self.assert_accepted(response)
        stored = self.stored_article(response).text
        self.assertNotIn("alert", stored)
        self.assertNotIn("<p>", stored)
        self.assertIn("Azerbaijan and Iran & friends", stored)

    def test_unclosed_and_broken_html(self):
        response = self.send(text=self.unique("<html><body><p>Azerbaijan <div <p <<>>& &#xFFFFFFFF;"
                                              "&#0; &bogus; <script>never closed"))
        self.assertIn(response.outcome, (ACCEPTED, REJECTED), response)
        if response.outcome == ACCEPTED:
            stored = self.stored_article(response).text
            self.assertNotIn("\x00", stored)
            self.assertNotIn("never closed", stored)
        else:
            self.assertTrue(response.message)

    # ------------------------------------------------------------ size and shape
    def test_hundred_thousand_tiny_sentences(self):
        text = self.unique("BAKU, 5 May 2024\n\n" + "Iran met Azerbaijan. Ok. " * 50_000)
        response = self.send(text=text)
        self.assert_accepted(response)
        self.summary(response)

    def test_pathological_repetition(self):
        for i, chunk in enumerate(["(" * 200_000 + ")" * 200_000,
                                   "1," * 300_000,
                                   "the the the " * 80_000,
                                   "Azerbaijan-Iran-" * 40_000,
                                   "\n" * 100_000 + "Iran.",
                                   "$" * 100_000 + "1 billion",
                                   "31.02.2023 " * 50_000]):
            response = self.send(text=self.unique(chunk))
            self.assertIn(response.outcome, (ACCEPTED, REJECTED), (i, response))
            if response.outcome == REJECTED:
                self.assertTrue(response.message, i)

    def test_huge_and_overflowing_numbers(self):
        text = self.unique(
            "BAKU, 5 May 2024\n\nAzerbaijan and Iran agreed to build a railway of "
            "99999999999999999999 km costing 1e309 dollars, with 1.7976931348623157e308 tons "
            "of freight and -0 killed, NaN percent growth, Infinity USD and "
            "0.000000000000000000000001 kg; the border is 1,000,000,000,000,000,000,000 km.")
        response = self.send(text=text)
        self.assert_accepted(response)
        figures = cluster.query_stub().ListFigures(STUBS.query.ListFiguresRequest(
            page_size=1000, min_sequence=response.sequence), timeout=CASE_SECONDS).figures
        for figure in figures:
            self.assertTrue(math.isfinite(figure.value), figure)
            self.assertLess(abs(figure.value), 1e19, figure)

    def test_impossible_dates(self):
        for header in ("31.02.2023", "date 2023-02-30", "February 30, 2023", "32 January 2024",
                       "2023-13-01", "00.00.0000"):
            text = self.unique(f"{header}\n\nAzerbaijan and Iran held talks on trade.")
            response = self.send(text=text)
            self.assert_accepted(response)
            summary = self.summary(response)
            self.assertFalse(summary.HasField("published_at"),
                             f"{header!r} gave a date: {summary.published_at}")

    def test_published_at_out_of_range(self):
        from google.protobuf import timestamp_pb2
        for seconds in (-62135596801, 253402300800):  # before 0001-01-01, after 9999-12-31
            response = self.send(text=self.unique("x"),
                                 published_at=timestamp_pb2.Timestamp(seconds=seconds))
            self.assert_rejected(response, "published_at")

    # ------------------------------------------------------------ limits
    def test_field_limits_at_and_past(self):
        limits = {"id": 256, "source": 512, "url": 4096, "title": 2048}
        for field, limit in limits.items():
            at = self.send(text=self.unique(f"{field} at limit"), **{field: "é" * (limit // 2)})
            self.assert_accepted(at)
            past = self.send(text=self.unique(f"{field} past limit"), **{field: "a" * (limit + 1)})
            self.assert_rejected(past, field)
        at = self.send(text=self.unique("language at limit"), language="en-" + "a" * 32)
        self.assert_accepted(at)
        self.assert_rejected(self.send(text=self.unique("x"), language="en-" + "a" * 33),
                             "language")
        self.assert_rejected(self.send(text=self.unique("x"), language="en_US"), "language")
        self.assert_rejected(self.send(text=self.unique("x"), id=" padded"), "id")

    def test_text_at_limit_and_one_past(self):
        prefix = self.unique("BAKU, 5 May 2024\n\nAzerbaijan and Iran held talks.") + " "
        text = prefix + "a" * (2 * MIB - len(prefix.encode()))
        self.assertEqual(len(text.encode()), 2 * MIB)
        self.assert_accepted(self.send(text=text))
        self.assert_rejected(self.send(text=text + "b"), "article.text", "limit")

    def test_message_past_grpc_limit(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.send(text="a" * (3 * MIB))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)

    def test_compressed_message_past_grpc_limit(self):
        # 24 MiB of text that gzip packs into ~24 KB: the receive limit holds
        # for the decompressed size (no decompression bomb).
        with self.assertRaises(grpc.RpcError) as caught:
            self.ingest.IngestArticle(ING.IngestArticleRequest(
                article=STUBS.article.Article(text="a" * (24 * MIB))), timeout=CASE_SECONDS,
                compression=grpc.Compression.Gzip)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)

    def test_duplicates_and_ids(self):
        text = self.unique(normal_text(2))
        first = self.send(text=text)
        self.assert_accepted(first)
        again = self.send(text="  " + text.replace(" ", "  ") + "\n\n")
        self.assertEqual(again.outcome, DUPLICATE, again)
        self.assertEqual(again.article_id, first.article_id)
        same_id = self.send(text=self.unique("other text"), id=first.article_id)
        self.assertIn(same_id.outcome, (DUPLICATE, REJECTED), same_id)

    def test_stream_goes_on_after_rejections(self):
        requests = [ING.StreamArticlesRequest(article=STUBS.article.Article(text=t),
                                              client_ref=str(i))
                    for i, t in enumerate(["", "\x00", " ", self.unique(normal_text(3)), "a\x00",
                                           self.unique(normal_text(4))])]
        responses = list(self.ingest.StreamArticles(iter(requests), timeout=CASE_SECONDS))
        outcomes = [r.outcome for r in sorted(responses, key=lambda r: int(r.client_ref))]
        self.assertEqual(outcomes, [REJECTED, REJECTED, REJECTED, ACCEPTED, REJECTED, ACCEPTED])

    # ------------------------------------------------------------ afterwards
    def test_zz_normal_article_after_everything(self):
        response = self.send(text=self.unique(normal_text(5)))
        self.assert_accepted(response)
        self.assertEqual(self.summary(response).article_id, response.article_id)


class PoisonEventTest(unittest.TestCase):
    """Cases whose log events can stop a consumer, each on its own cluster so
    a stuck query service does not spoil the other cases."""

    def check_consumers_follow(self, text, wait_seconds=20):
        local = harness.Cluster(prefix="relmon-hostile-big-").start()
        try:
            response = local.ingest_stub().IngestArticle(ING.IngestArticleRequest(
                article=STUBS.article.Article(text=text)), timeout=CASE_SECONDS)
            self.assertEqual(response.outcome, ACCEPTED, response)
            # Every event must reach a consumer with the query service's
            # receive limit (64 MiB): the query service applies it.
            local.query_stub().GetArticle(STUBS.query.GetArticleRequest(
                article_id=response.article_id, min_sequence=response.sequence),
                timeout=wait_seconds)
            self.assertEqual(rc.health_status(local.ingest.address), "SERVING")
        finally:
            codes = local.stop()
            local.cleanup()
        self.assertEqual(codes, {"query-service": 0, "ingest-service": 0})

    def test_hundred_kilobyte_sentence_reaches_the_query_service(self):
        words = ("Azerbaijan and Iran discussed cooperation and trade with Turkey "
                 "and Armenia while officials noted 12 km of road ")
        self.check_consumers_follow("BAKU, 5 May 2024\n\n" + words * 1200)

    # Every fact quotes its sentence: before quotes were capped (2 KB), a
    # 1 MiB sentence with ~130 facts made a 134 MB ArticleAnalyzed event that
    # no consumer with a 64 MiB receive limit could take (a poison event).
    def test_one_megabyte_single_sentence_reaches_the_query_service(self):
        words = ("Azerbaijan and Iran discussed cooperation and trade with Turkey "
                 "and Armenia while officials noted 12 km of road ")
        self.check_consumers_follow("BAKU, 5 May 2024\n\n" + (words * (MIB // len(words) + 1))[:MIB],
                                    wait_seconds=10)


if __name__ == "__main__":
    harness.run_unittest_main()
