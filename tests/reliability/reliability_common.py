"""Shared pieces of the reliability tests: synthetic articles rich enough to
produce events, agreements and figures; reading the event log; a generic
unary call with raw bytes; timing helpers. Imports tests/harness.py."""

import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import harness  # noqa: E402

STUBS = harness.load_stubs()
import grpc  # noqa: E402

PAIRS = [("Azerbaijan", "Iran"), ("Turkey", "Armenia"), ("India", "China"),
         ("Japan", "South Korea"), ("Greece", "Turkey"), ("Kenya", "Uganda"),
         ("Russia", "Georgia"), ("Egypt", "Sudan")]
SENTENCES = [
    "Officials of {a} and {b} held talks on trade on Tuesday, the foreign ministries said.",
    "The presidents of {a} and {b} signed a memorandum on transport cooperation in {city}.",
    "{a} accused {b} of violating the ceasefire along the border, killing {n} soldiers.",
    "{a} and {b} agreed to build a {km}-kilometer railway costing ${m} million.",
    "The foreign minister of {a} visited {b} and discussed border security.",
    "Trade between {a} and {b} grew by {p} percent last year, officials said.",
]
CITIES = ["Baku", "Ankara", "Tokyo", "Nairobi", "Cairo", "Delhi"]


def article_text(tag, i):
    """A unique, analysable article: `tag` keeps texts of parallel writers apart."""
    a, b = PAIRS[i % len(PAIRS)]
    day = 1 + i % 28
    month = ["January", "March", "May", "July", "September", "November"][i % 6]
    body = " ".join(
        SENTENCES[(i + k) % len(SENTENCES)].format(
            a=a, b=b, city=CITIES[i % len(CITIES)], n=2 + i % 9, km=50 + i % 400,
            m=10 + i % 900, p=1 + i % 30)
        for k in range(3))
    return (f"CAPITAL, {day} {month} 2024\n\n{body} "
            f"The reliability test wrote this story as {tag} number {i}.")


def stream_request(text, ref):
    return STUBS.ingest.StreamArticlesRequest(article=STUBS.article.Article(text=text),
                                              client_ref=ref)


def read_log(stub, until_sequence, timeout=120):
    """SubscribeEvents from 1 until `until_sequence`, then cancels the follow."""
    events = []
    if until_sequence <= 0:
        return events
    call = stub.SubscribeEvents(STUBS.ingest.SubscribeEventsRequest(from_sequence=1),
                                timeout=timeout)
    for response in call:
        events.append(response.event)
        if response.event.sequence >= until_sequence:
            break
    call.cancel()
    return events


def check_dense_log(test, events, until_sequence):
    """Asserts a dense log 1..until_sequence with Recorded+Analyzed pairs and
    no article recorded twice; returns the recorded article ids in order."""
    sequences = [e.sequence for e in events]
    test.assertEqual(sequences, list(range(1, until_sequence + 1)),
                     "the log must be dense from 1, without gaps or repeats")
    recorded = []
    for i, event in enumerate(events):
        if event.WhichOneof("payload") == "article_recorded":
            test.assertLess(i + 1, len(events), "log ends with a lone ArticleRecorded")
            test.assertEqual(events[i + 1].WhichOneof("payload"), "article_analyzed",
                             f"sequence {event.sequence}: Recorded not followed by Analyzed")
            recorded.append(event.article_recorded.article.id)
    dupes = {x for x in recorded if recorded.count(x) > 1} if len(recorded) != len(
        set(recorded)) else set()
    test.assertFalse(dupes, f"articles recorded more than once: {sorted(dupes)[:10]}")
    return recorded


def health_status(address, timeout=5):
    """The health status string of the service at `address`, or the error code."""
    channel = grpc.insecure_channel(address)
    try:
        response = STUBS.health_grpc.HealthStub(channel).Check(
            STUBS.health.HealthCheckRequest(service=""), timeout=timeout)
        return STUBS.health.HealthCheckResponse.ServingStatus.Name(response.status)
    except grpc.RpcError as error:
        return error.code().name
    finally:
        channel.close()


def raw_unary(channel, method):
    """A unary call of `method` that sends and receives raw bytes (no protobuf
    layer on our side: lets a test send bytes the stubs would refuse)."""
    return channel.unary_unary(method, request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)


def encode_varint(value):
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def encode_field(number, payload):
    """Protobuf wire encoding of a length-delimited field."""
    return encode_varint((number << 3) | 2) + encode_varint(len(payload)) + payload


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def expired(self):
        return self.left() <= 0


def run_threads(targets):
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for t in threads:
        t.start()
    return threads
