"""Overload: far more streams and calls than the configured limits. The
ingest service runs with --max_concurrent_streams=4 (HTTP/2 streams per
connection) and --max_in_flight_per_stream=4; the test opens many concurrent
StreamArticles and SubscribeEvents streams (several per connection, over many
connections) and many concurrent query calls, for a bounded time on
loopback. Throughout, a health check on a fresh connection to either service
must answer SERVING within its deadline; afterwards both services must
recover: every stream ends (completed or cancelled), a normal article is
accepted and readable through the query service quickly, and both exit 0 on
SIGTERM.

Limit flags that exist: ingest --max_concurrent_streams, --max_in_flight_per_stream,
--max_article_bytes, --extraction_threads; query --max_wait_ms. Missing: a cap
on concurrent calls/subscribers per service, on total in-flight articles, and
per-client rate limits (see docs/reliability.md).
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reliability_common as rc  # noqa: E402
from reliability_common import STUBS, grpc, harness  # noqa: E402

ING = STUBS.ingest
Q = STUBS.query
LOAD_SECONDS = int(os.environ.get("RELMON_OVERLOAD_SECONDS", 20))
CONNECTIONS = int(os.environ.get("RELMON_OVERLOAD_CONNECTIONS", 12))
STREAMS_PER_CONNECTION = 6      # > --max_concurrent_streams=4
SUBSCRIBERS = int(os.environ.get("RELMON_OVERLOAD_SUBSCRIBERS", 48))
QUERY_THREADS = int(os.environ.get("RELMON_OVERLOAD_QUERY_THREADS", 48))
ARTICLES_PER_STREAM = int(os.environ.get("RELMON_OVERLOAD_ARTICLES_PER_STREAM", 20))
HEALTH_DEADLINE = 10.0  # generous: a 2-core CI box runs other tests beside this one


def separate_channel(address):
    # A local subchannel pool gives each channel its own connection.
    return grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


class OverloadTest(unittest.TestCase):
    def setUp(self):
        self.cluster = harness.Cluster(prefix="relmon-overload-")
        self.cluster.ingest.args += ["--max_concurrent_streams=4",
                                     "--max_in_flight_per_stream=4"]
        self.cluster.start()
        self.stop = threading.Event()
        self.calls = []   # live follows, cancelled when the load ends
        self.channels = []
        self.lock = threading.Lock()
        self.counts = {"acks": 0, "stream_errors": {}, "events": 0, "queries": 0,
                       "query_errors": {}}

    def tearDown(self):
        self.stop.set()
        for channel in self.channels:
            channel.close()
        codes = self.cluster.stop()
        self.cluster.keep = any(code != 0 for code in codes.values())
        self.cluster.cleanup()
        self.assertEqual(codes, {"query-service": 0, "ingest-service": 0})

    def channel(self, address):
        channel = separate_channel(address)
        self.channels.append(channel)
        return channel

    def count_error(self, key, error):
        with self.lock:
            self.counts[key][error.code().name] = self.counts[key].get(error.code().name, 0) + 1

    def writer(self, stub, tag):
        def requests():
            # A bounded burst, then the stream is held open idle until the
            # load ends (a slow client occupying a stream slot), so the
            # volume stays small enough for the query service to catch up.
            for i in range(ARTICLES_PER_STREAM):
                if self.stop.is_set():
                    return
                yield rc.stream_request(rc.article_text(tag, i), str(i))
            self.stop.wait()
        try:
            for response in stub.StreamArticles(requests(), timeout=LOAD_SECONDS + 30):
                with self.lock:
                    self.counts["acks"] += 1
                if response.outcome not in (ING.INGEST_OUTCOME_ACCEPTED,
                                            ING.INGEST_OUTCOME_DUPLICATE):
                    self.fail_reason = f"{tag}: {response}"
        except grpc.RpcError as error:
            self.count_error("stream_errors", error)

    def subscriber(self, stub):
        call = stub.SubscribeEvents(ING.SubscribeEventsRequest(from_sequence=1),
                                    timeout=LOAD_SECONDS + 30)
        with self.lock:
            self.calls.append(call)
        try:
            for _ in call:
                with self.lock:
                    self.counts["events"] += 1
                if self.stop.is_set():
                    break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                self.count_error("stream_errors", error)
        finally:
            call.cancel()

    def querier(self, stub, k):
        pairs = rc.PAIRS
        while not self.stop.is_set():
            a, b = pairs[k % len(pairs)]
            try:
                if k % 3 == 0:
                    stub.GetRelationsState(Q.GetRelationsStateRequest(country_a=a, country_b=b),
                                           timeout=10)
                elif k % 3 == 1:
                    stub.ListEvents(Q.ListEventsRequest(country_a=a, country_b=b, page_size=100),
                                    timeout=10)
                else:
                    stub.ListFigures(Q.ListFiguresRequest(page_size=100), timeout=10)
                with self.lock:
                    self.counts["queries"] += 1
            except grpc.RpcError as error:
                self.count_error("query_errors", error)
            k += len(pairs) + 1

    def test_services_stay_responsive_and_recover(self):
        self.fail_reason = None
        threads = []
        for c in range(CONNECTIONS):
            stub = STUBS.ingest_grpc.IngestServiceStub(self.channel(self.cluster.ingest.address))
            for s in range(STREAMS_PER_CONNECTION):
                threads.append(lambda stub=stub, tag=f"c{c}s{s}": self.writer(stub, tag))
        for k in range(SUBSCRIBERS):
            stub = STUBS.ingest_grpc.IngestServiceStub(
                self.channel(self.cluster.ingest.address) if k % 4 == 0 else
                separate_channel(self.cluster.ingest.address))
            threads.append(lambda stub=stub: self.subscriber(stub))
        query_channel = self.channel(self.cluster.query.address)
        for k in range(QUERY_THREADS):
            stub = STUBS.query_grpc.QueryServiceStub(
                query_channel if k % 2 else self.channel(self.cluster.query.address))
            threads.append(lambda stub=stub, k=k: self.querier(stub, k))
        running = rc.run_threads(threads)

        # The health probe runs as its own process: the load's Python
        # threads must not be what delays it.
        import json
        import subprocess
        probe = subprocess.run(
            [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "health_probe.py"),
             str(LOAD_SECONDS), str(HEALTH_DEADLINE), self.cluster.ingest.address,
             self.cluster.query.address],
            capture_output=True, text=True, timeout=LOAD_SECONDS + 60)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        report = json.loads(probe.stdout.strip().splitlines()[-1])
        checks = report["checks"]
        worst = {"ingest": report["worst_seconds"][self.cluster.ingest.address],
                 "query": report["worst_seconds"][self.cluster.query.address]}
        self.assertFalse(report["failures"], f"health under load: {report}\n"
                         f"{self.cluster.logs()}")

        self.stop.set()
        with self.lock:
            for call in self.calls:
                call.cancel()
        for t in running:
            t.join(timeout=60)
        hung = sum(1 for t in running if t.is_alive())
        self.assertEqual(hung, 0, f"{hung} client threads did not finish")
        self.assertIsNone(self.fail_reason)
        if CONNECTIONS:
            self.assertGreater(self.counts["acks"], 0)
        if QUERY_THREADS:
            self.assertGreater(self.counts["queries"], 0)

        # Recovery: a normal article is accepted and readable quickly.
        started = time.monotonic()
        response = self.cluster.ingest_stub().IngestArticle(ING.IngestArticleRequest(
            article=STUBS.article.Article(text=rc.article_text("after-overload", 0))),
            timeout=30)
        self.assertEqual(response.outcome, ING.INGEST_OUTCOME_ACCEPTED, response)
        self.cluster.query_stub().GetArticle(Q.GetArticleRequest(
            article_id=response.article_id, min_sequence=response.sequence), timeout=120)
        recovery = time.monotonic() - started
        print(f"OVERLOAD: writers={CONNECTIONS * STREAMS_PER_CONNECTION} "
              f"(on {CONNECTIONS} connections, limit 4 streams each) subscribers={SUBSCRIBERS} "
              f"query_threads={QUERY_THREADS} seconds={LOAD_SECONDS} acks={self.counts['acks']} "
              f"events_delivered={self.counts['events']} queries={self.counts['queries']} "
              f"stream_errors={self.counts['stream_errors']} "
              f"query_errors={self.counts['query_errors']} health_checks={checks} "
              f"worst_health_s=ingest:{worst['ingest']:.2f},query:{worst['query']:.2f} "
              f"ingest_then_read_after_s={recovery:.1f}", flush=True)


if __name__ == "__main__":
    harness.run_unittest_main()
