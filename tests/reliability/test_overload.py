"""Overload: far more streams and calls than the configured limits. The
ingest service runs with --max_concurrent_streams=4 (HTTP/2 streams per
connection), --max_in_flight_per_stream=4, --max_article_streams=20 and
--max_event_subscribers=16; the test opens many more concurrent
StreamArticles and SubscribeEvents streams (several per connection, over
many connections) and many concurrent query calls, for a bounded time on
loopback. Checked:

- the calls past the service limits are refused with RESOURCE_EXHAUSTED and a
  message naming the limit's flag, and no more than the limit are ever
  served at once (as seen by the clients);
- throughout, a health check on a fresh connection to either service answers
  SERVING within its deadline;
- afterwards both services recover by themselves: every stream ends, as many
  subscribers as the limit are admitted again at once, a normal article is
  accepted and readable through the query service quickly, and both exit 0
  on SIGTERM.

Limit flags (docs/reliability.md): ingest --max_article_streams,
--max_event_subscribers, --max_ingest_calls, --max_concurrent_streams,
--max_in_flight_per_stream, --max_article_bytes, --extraction_threads; query
--max_wait_ms.
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
STREAM_LIMIT = 20       # --max_article_streams, < CONNECTIONS * STREAMS_PER_CONNECTION
SUBSCRIBER_LIMIT = 16   # --max_event_subscribers, < SUBSCRIBERS


def separate_channel(address):
    # A local subchannel pool gives each channel its own connection.
    return grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


class OverloadTest(unittest.TestCase):
    def setUp(self):
        self.cluster = harness.Cluster(prefix="relmon-overload-")
        self.cluster.ingest.args += ["--max_concurrent_streams=4",
                                     "--max_in_flight_per_stream=4",
                                     f"--max_article_streams={STREAM_LIMIT}",
                                     f"--max_event_subscribers={SUBSCRIBER_LIMIT}"]
        self.cluster.start()
        self.stop = threading.Event()
        self.calls = []   # live follows, cancelled when the load ends
        self.channels = []
        self.lock = threading.Lock()
        self.counts = {"acks": 0, "stream_errors": {}, "events": 0, "queries": 0,
                       "query_errors": {}}
        # Calls refused for a service limit, by kind, and their messages.
        self.refused = {"writers": 0, "subscribers": 0}
        self.refusal_messages = set()
        # Streams being served (first answer seen, not ended), by kind, and
        # the most seen at once.
        self.active = {"writers": 0, "subscribers": 0}
        self.most_active = {"writers": 0, "subscribers": 0}

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

    def count_refusal(self, kind, error):
        """True when `error` is a service-limit refusal (counted)."""
        if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
            return False
        with self.lock:
            self.refused[kind] += 1
            self.refusal_messages.add(error.details())
        return True

    def start_served(self, kind):
        """Counts a stream the service serves; only during the load (while
        streams end after it, a new one may be admitted before this client
        has seen the old one end). True when counted."""
        with self.lock:
            if self.stop.is_set():
                return False
            self.active[kind] += 1
            self.most_active[kind] = max(self.most_active[kind], self.active[kind])
            return True

    def end_served(self, kind):
        with self.lock:
            self.active[kind] -= 1

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
        serving = False
        try:
            for response in stub.StreamArticles(requests(), timeout=LOAD_SECONDS + 30):
                if not serving:
                    serving = self.start_served("writers")
                with self.lock:
                    self.counts["acks"] += 1
                if response.outcome not in (ING.INGEST_OUTCOME_ACCEPTED,
                                            ING.INGEST_OUTCOME_DUPLICATE):
                    self.fail_reason = f"{tag}: {response}"
        except grpc.RpcError as error:
            if not self.count_refusal("writers", error):
                self.count_error("stream_errors", error)
        finally:
            if serving:
                self.end_served("writers")

    def subscriber(self, stub):
        call = stub.SubscribeEvents(ING.SubscribeEventsRequest(from_sequence=1),
                                    timeout=LOAD_SECONDS + 30)
        with self.lock:
            self.calls.append(call)
        serving = False
        try:
            for _ in call:
                if not serving:
                    serving = self.start_served("subscribers")
                with self.lock:
                    self.counts["events"] += 1
                if self.stop.is_set():
                    break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED and not self.count_refusal(
                    "subscribers", error):
                self.count_error("stream_errors", error)
        finally:
            call.cancel()
            if serving:
                self.end_served("subscribers")

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

    def readmit_subscribers(self):
        """Opens as many subscribers as the limit leaves at once (retrying
        while the earlier ones are still being released) until all are
        served; returns how long it took."""
        started = time.monotonic()
        deadline = rc.Deadline(20)
        # One connection each: --max_concurrent_streams=4 would queue the
        # rest on a shared one.
        # The query service's follower holds one of the places.
        wanted = SUBSCRIBER_LIMIT - 1
        stubs = [STUBS.ingest_grpc.IngestServiceStub(self.channel(self.cluster.ingest.address))
                 for _ in range(wanted)]
        while True:
            calls = [stub.SubscribeEvents(ING.SubscribeEventsRequest(from_sequence=1), timeout=20)
                     for stub in stubs]
            refused = 0
            for call in calls:
                try:
                    next(iter(call))
                except grpc.RpcError as error:
                    self.assertEqual(error.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, error)
                    refused += 1
            for call in calls:
                call.cancel()
            if refused == 0:
                return time.monotonic() - started
            self.assertFalse(deadline.expired(),
                             f"{refused} of {wanted} subscribers still refused")
            time.sleep(0.5)

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
        # The limits: the extra calls were refused, with the flag named, and
        # never more than the limit were served at once.
        if CONNECTIONS * STREAMS_PER_CONNECTION > STREAM_LIMIT:
            self.assertGreater(self.refused["writers"], 0, self.counts)
        if SUBSCRIBERS > SUBSCRIBER_LIMIT:
            self.assertGreater(self.refused["subscribers"], 0, self.counts)
        self.assertLessEqual(self.most_active["writers"], STREAM_LIMIT)
        self.assertLessEqual(self.most_active["subscribers"], SUBSCRIBER_LIMIT)
        for message in self.refusal_messages:
            self.assertRegex(message, r"the limit is \d+ \(--max_(article_streams|"
                                      r"event_subscribers)\)")
        self.assertFalse(self.counts["stream_errors"], self.counts)

        # Recovery: the places are given back; as many subscribers as the
        # limit are admitted at once again.
        readmit = self.readmit_subscribers()

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
              f"refused_writers={self.refused['writers']} "
              f"refused_subscribers={self.refused['subscribers']} "
              f"most_served_at_once=writers:{self.most_active['writers']}/{STREAM_LIMIT},"
              f"subscribers:{self.most_active['subscribers']}/{SUBSCRIBER_LIMIT} "
              f"readmitted_subscribers_after_s={readmit:.1f} "
              f"query_errors={self.counts['query_errors']} health_checks={checks} "
              f"worst_health_s=ingest:{worst['ingest']:.2f},query:{worst['query']:.2f} "
              f"ingest_then_read_after_s={recovery:.1f}", flush=True)


WAITING_LIMIT = 4  # --max_waiting_calls of the query service below


class WaitingCallsLimitTest(unittest.TestCase):
    """Calls waiting for a min_sequence not applied yet are bounded: past
    --max_waiting_calls the query service answers RESOURCE_EXHAUSTED at
    once, naming the flag; the waiting ones keep their place until their
    deadline; afterwards new waits are admitted again."""

    def setUp(self):
        self.cluster = harness.Cluster(prefix="relmon-waiting-")
        self.cluster.query_args = [f"--max_waiting_calls={WAITING_LIMIT}"]
        self.cluster.start()

    def tearDown(self):
        codes = self.cluster.stop()
        self.cluster.keep = any(code != 0 for code in codes.values())
        self.cluster.cleanup()
        self.assertEqual(codes, {"query-service": 0, "ingest-service": 0})

    def wait_far_ahead(self, results, index, timeout):
        stub = self.cluster.query_stub()
        try:
            stub.GetRelationsState(Q.GetRelationsStateRequest(
                country_a="AZ", country_b="IR", min_sequence=10**12), timeout=timeout)
            results[index] = "OK"
        except grpc.RpcError as error:
            results[index] = (error.code(), error.details())

    def test_waits_past_the_limit_are_refused_and_the_place_comes_back(self):
        calls = 3 * WAITING_LIMIT
        results = [None] * calls
        threads = [threading.Thread(target=self.wait_far_ahead, args=(results, i, 3.0))
                   for i in range(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = [r[0] for r in results]
        refused = [r for r in results if r[0] == grpc.StatusCode.RESOURCE_EXHAUSTED]
        waited = [r for r in results if r[0] == grpc.StatusCode.DEADLINE_EXCEEDED]
        print(f"WAITING: calls={calls} limit={WAITING_LIMIT} waited={len(waited)} "
              f"refused={len(refused)}", flush=True)
        self.assertEqual(len(waited) + len(refused), calls, codes)
        self.assertLessEqual(len(waited), WAITING_LIMIT)
        self.assertGreaterEqual(len(refused), calls - WAITING_LIMIT)
        self.assertIn("--max_waiting_calls", refused[0][1])
        # Every place is free again: as many new waits as the limit all wait.
        results = [None] * WAITING_LIMIT
        threads = [threading.Thread(target=self.wait_far_ahead, args=(results, i, 1.0))
                   for i in range(WAITING_LIMIT)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([r[0] for r in results], [grpc.StatusCode.DEADLINE_EXCEEDED] * WAITING_LIMIT)
        # And a call that needs no wait is answered as usual.
        state = self.cluster.query_stub().GetRelationsState(
            Q.GetRelationsStateRequest(country_a="AZ", country_b="IR"), timeout=10)
        self.assertEqual(state.level, STUBS.facts.RELATIONS_LEVEL_UNSPECIFIED)


if __name__ == "__main__":
    harness.run_unittest_main()
