"""A small Python client of the relations monitor on stubs generated from proto/.

Used by the client scenario beside it, by the acceptance checker
(tests/acceptance/check_expected.py) and by the integration tests.

    stubs = load_stubs()          # generated modules (see load_stubs)
    client = Client("localhost:50051", "localhost:50052", stubs)
    results, max_seq = client.ingest(read_jsonl("corpus/seeds.jsonl", stubs))
    state = client.state("Azerbaijan", "Iran", min_sequence=max_seq)
"""

import calendar
import datetime
import json
import os
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PROTO_ROOT = os.path.join(REPO, "proto")
HEALTH_PROTO = "/usr/share/grpc-proto/grpc/health/v1/health.proto"


def _generate(out_dir):
    """Generates the stubs with Debian's protoc + grpc_python_plugin (standalone use)."""
    import shutil
    import tempfile
    os.makedirs(out_dir, exist_ok=True)
    plugin = "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"
    protos = [f"relations/v1/{n}.proto" for n in
              ("article", "facts", "log", "ingest_service", "query_service")]
    subprocess.run(["protoc", "-I", PROTO_ROOT, f"--python_out={out_dir}",
                    f"--grpc_python_out={out_dir}", plugin] + protos, check=True)
    with tempfile.TemporaryDirectory() as src:
        os.makedirs(os.path.join(src, "relmon_health"))
        shutil.copy(HEALTH_PROTO, os.path.join(src, "relmon_health", "health.proto"))
        subprocess.run(["protoc", "-I", src, f"--python_out={out_dir}",
                        f"--grpc_python_out={out_dir}", plugin, "relmon_health/health.proto"],
                       check=True)


def load_stubs(stub_dir=None):
    """Imports the generated modules from `stub_dir`, $RELMON_STUB_DIR,
    build/python, or (generating them first) tests/clients/python/gen."""
    candidates = [stub_dir, os.environ.get("RELMON_STUB_DIR"),
                  os.path.join(REPO, "build", "python")]
    found = None
    for candidate in candidates:
        if candidate and os.path.isfile(
                os.path.join(candidate, "relations", "v1", "query_service_pb2_grpc.py")):
            found = candidate
            break
    if found is None:
        found = os.path.join(HERE, "gen")
        if not os.path.isfile(os.path.join(found, "relations", "v1", "query_service_pb2_grpc.py")):
            _generate(found)
    if found not in sys.path:
        sys.path.insert(0, found)
    from relations.v1 import article_pb2, facts_pb2, log_pb2  # noqa: E402
    from relations.v1 import ingest_service_pb2, ingest_service_pb2_grpc  # noqa: E402
    from relations.v1 import query_service_pb2, query_service_pb2_grpc  # noqa: E402
    from relmon_health import health_pb2, health_pb2_grpc  # noqa: E402
    return types.SimpleNamespace(
        article=article_pb2, facts=facts_pb2, log=log_pb2,
        ingest=ingest_service_pb2, ingest_grpc=ingest_service_pb2_grpc,
        query=query_service_pb2, query_grpc=query_service_pb2_grpc,
        health=health_pb2, health_grpc=health_pb2_grpc, path=found)


# ---------------------------------------------------------------- dates

def parse_date(text, end=False):
    """'2023', '2023-01', '2023-01-27' (UTC) -> datetime at the period's first
    instant, or with end=True its last second (the convention of relctl)."""
    parts = [int(p) for p in text.split("-")]
    year, month, day = (parts + [1, 1])[:3]
    start = datetime.datetime(year, month, day, tzinfo=datetime.timezone.utc)
    if not end:
        return start
    if len(parts) == 1:
        nxt = start.replace(year=year + 1)
    elif len(parts) == 2:
        nxt = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    else:
        nxt = start + datetime.timedelta(days=1)
    return nxt - datetime.timedelta(seconds=1)


def to_timestamp(stubs, when):
    from google.protobuf import timestamp_pb2
    ts = timestamp_pb2.Timestamp()
    ts.seconds = calendar.timegm(when.utctimetuple())
    return ts


def is_set(ts):
    return ts.seconds != 0 or ts.nanos != 0


def ts_date(ts, precision="DAY"):
    """'2023-01-27' / '2023-01' / '2023' of a Timestamp (None when unset)."""
    if not is_set(ts):
        return None
    d = datetime.datetime.fromtimestamp(ts.seconds, tz=datetime.timezone.utc)
    if precision == "YEAR":
        return f"{d.year:04d}"
    if precision == "MONTH":
        return f"{d.year:04d}-{d.month:02d}"
    return d.strftime("%Y-%m-%d")


def short_enum(enum_type, value):
    """EventType VISIT -> 'VISIT' (drops the enum's prefix)."""
    name = enum_type.Name(value)
    prefix = {"EventType": "EVENT_TYPE_", "RelationsLevel": "RELATIONS_LEVEL_",
              "Trend": "TREND_", "AgreementStatus": "AGREEMENT_STATUS_",
              "AgreementKind": "AGREEMENT_KIND_", "DatePrecision": "DATE_PRECISION_",
              "IngestOutcome": "INGEST_OUTCOME_"}.get(enum_type.DESCRIPTOR.name, "")
    return name[len(prefix):] if name.startswith(prefix) else name


# ---------------------------------------------------------------- inputs

def read_jsonl(path, stubs):
    """Reads a .jsonl of Articles (proto3 JSON) or metadata lines naming a
    text file relative to the .jsonl's folder. Empty fields are left unset.
    Returns [(client_ref, Article)], client_ref being the "file" value when
    there is one, else "PATH:LINE"."""
    from google.protobuf import json_format
    base = os.path.dirname(os.path.abspath(path))
    items = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            obj = {k: v for k, v in json.loads(line).items() if v not in ("", None)}
            ref = obj.pop("file", None)
            text = None
            if ref is not None:
                with open(os.path.join(base, ref), encoding="utf-8") as t:
                    text = t.read()
            article = json_format.ParseDict(obj, stubs.article.Article())
            if text is not None:
                article.text = text
            items.append((ref or f"{path}:{number}", article))
    return items


# ---------------------------------------------------------------- client

class Client:
    def __init__(self, ingest_address, query_address, stubs, timeout=60):
        import grpc
        self.stubs = stubs
        self.timeout = timeout
        options = [("grpc.max_receive_message_length", 256 * 1024 * 1024)]
        self._ingest_channel = grpc.insecure_channel(ingest_address, options=options)
        self._query_channel = grpc.insecure_channel(query_address, options=options)
        self.ingest_stub = stubs.ingest_grpc.IngestServiceStub(self._ingest_channel)
        self.query_stub = stubs.query_grpc.QueryServiceStub(self._query_channel)

    def close(self):
        self._ingest_channel.close()
        self._query_channel.close()

    def ingest(self, items, timeout=600):
        """Streams [(client_ref, Article)]; returns ({client_ref: response}, max sequence)."""
        requests = (self.stubs.ingest.StreamArticlesRequest(article=a, client_ref=ref)
                    for ref, a in items)
        results = {}
        for response in self.ingest_stub.StreamArticles(requests, timeout=timeout):
            results[response.client_ref] = response
        max_sequence = max([r.sequence for r in results.values()] or [0])
        return results, max_sequence

    def _list_all(self, method, request, field):
        out = []
        request.page_size = 1000
        for _ in range(10000):
            response = method(request, timeout=self.timeout)
            out.extend(getattr(response, field))
            if not response.next_page_token:
                break
            request.page_token = response.next_page_token
        return out

    def state(self, a, b, as_of=None, min_sequence=0):
        request = self.stubs.query.GetRelationsStateRequest(
            country_a=a, country_b=b, min_sequence=min_sequence)
        if as_of is not None:
            request.as_of.CopyFrom(to_timestamp(self.stubs, as_of))
        return self.query_stub.GetRelationsState(request, timeout=self.timeout)

    def timeline(self, a, b, start=None, end=None, granularity=0, min_sequence=0):
        request = self.stubs.query.ListRelationsTimelineRequest(
            country_a=a, country_b=b, granularity=granularity, min_sequence=min_sequence)
        if start is not None:
            request.start_time.CopyFrom(to_timestamp(self.stubs, start))
        if end is not None:
            request.end_time.CopyFrom(to_timestamp(self.stubs, end))
        return self.query_stub.ListRelationsTimeline(request, timeout=self.timeout)

    def events(self, a, b, min_sequence=0):
        return self._list_all(self.query_stub.ListEvents, self.stubs.query.ListEventsRequest(
            country_a=a, country_b=b, min_sequence=min_sequence), "events")

    def agreements(self, country="", status=0, min_sequence=0):
        return self._list_all(self.query_stub.ListAgreements,
                              self.stubs.query.ListAgreementsRequest(
                                  country=country, status=status, min_sequence=min_sequence),
                              "agreements")

    def figures(self, country="", quantity="", min_sequence=0):
        return self._list_all(self.query_stub.ListFigures, self.stubs.query.ListFiguresRequest(
            country=country, quantity=quantity, min_sequence=min_sequence), "figures")

    def disputes(self, country="", min_sequence=0):
        return self._list_all(self.query_stub.ListDisputedFigures,
                              self.stubs.query.ListDisputedFiguresRequest(
                                  country=country, min_sequence=min_sequence),
                              "disputed_figures")

    def article(self, article_id, min_sequence=0):
        return self.query_stub.GetArticle(self.stubs.query.GetArticleRequest(
            article_id=article_id, min_sequence=min_sequence), timeout=self.timeout)
