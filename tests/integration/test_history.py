"""History: known_as_of on the query RPCs ("what did we know then") and
re-analysis of stored articles with changed extraction data.

1. With the five seed articles ingested, AZ-IR as of 2023-02-15 is HOSTILE or
   TENSE with everything known, and not HOSTILE with known_as_of 2023-02-15
   (only the 2021 "new phase" story was published by then); every event
   listed with known_as_of cites only articles published by then.
2. An article naming a person the gazetteer does not know; a copy of data/
   gets that person as a president of another country; the ingest service is
   restarted on the copy and a re-analysis makes the new pair's event appear
   (GetArticle shows the new extractor version). Re-analysing again appends
   nothing and changes no answer.
"""

import json
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

STUBS = harness.load_stubs()
import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402
from relations.v1 import admin_service_pb2 as admin  # noqa: E402
from relations.v1 import admin_service_pb2_grpc as admin_grpc  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ts(text):
    t = timestamp_pb2.Timestamp()
    t.FromJsonString(text)
    return t


def seed_articles(shared):
    corpus = os.path.join(shared, "corpus")
    out = []
    with open(os.path.join(corpus, "seeds.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            meta = json.loads(line)
            with open(os.path.join(corpus, meta["file"]), encoding="utf-8") as t:
                article = STUBS.article.Article(text=t.read(), source=meta.get("source", ""))
            if meta.get("published_at"):
                article.published_at.CopyFrom(ts(meta["published_at"]))
            out.append(article)
    return out


def ingest(cluster, articles):
    stub = cluster.ingest_stub()
    last = 0
    ids = []
    for article in articles:
        r = stub.IngestArticle(STUBS.ingest.IngestArticleRequest(article=article), timeout=60)
        if r.outcome != STUBS.ingest.INGEST_OUTCOME_REJECTED:
            last = max(last, r.sequence)
            ids.append(r.article_id)
    return ids, last


def restart_ingest_with(cluster, extra_args):
    """Stops the ingest service and starts it again on the same port and data
    dir with `extra_args`."""
    port = cluster.ingest.port
    assert cluster.ingest.stop() == 0
    cluster.ingest.args = [f"--listen=127.0.0.1:{port}",
                           f"--data_dir={cluster.root}/ingest"] + list(extra_args)
    cluster.ingest.address = None
    for attempt in range(50):
        try:
            return cluster.ingest.start()
        except RuntimeError:
            if attempt == 49:
                raise
            time.sleep(0.2)


def wait_job(stub, timeout=120):
    deadline = time.time() + timeout
    while True:
        job = stub.GetReanalysis(admin.GetReanalysisRequest(), timeout=10)
        if job.state != admin.REANALYSIS_STATE_RUNNING or time.time() > deadline:
            return job
        time.sleep(0.1)


def log_end(cluster, from_sequence):
    """The last sequence of the log at or after from_sequence - 1 (reads
    until the stream stays quiet)."""
    call = cluster.ingest_stub().SubscribeEvents(
        STUBS.ingest.SubscribeEventsRequest(from_sequence=from_sequence), timeout=2)
    last = from_sequence - 1
    try:
        for r in call:
            last = r.event.sequence
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return last


class KnownAsOfTest(unittest.TestCase):
    def test_seed_state_then_and_now(self):
        shared = harness.shared_dir_or_skip()
        with harness.Cluster() as cluster:
            _, last = ingest(cluster, seed_articles(shared))
            q = cluster.query_stub()
            as_of = ts("2023-02-15T23:59:59Z")
            everything = q.GetRelationsState(STUBS.query.GetRelationsStateRequest(
                country_a="AZ", country_b="IR", as_of=as_of, min_sequence=last), timeout=30)
            self.assertIn(everything.level, (STUBS.facts.RELATIONS_LEVEL_HOSTILE,
                                             STUBS.facts.RELATIONS_LEVEL_TENSE), everything)
            then = q.GetRelationsState(STUBS.query.GetRelationsStateRequest(
                country_a="AZ", country_b="IR", as_of=as_of, known_as_of=as_of,
                min_sequence=last), timeout=30)
            self.assertNotEqual(then.level, STUBS.facts.RELATIONS_LEVEL_HOSTILE, then)

            # Every event known then cites only articles published by then,
            # and is among (a part of) the events known now.
            known = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="IR", known_as_of=as_of, page_size=1000), timeout=30)
            full = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="IR", page_size=1000), timeout=30)
            self.assertLess(len(known.events), len(full.events))
            for e in known.events:
                for c in e.citations:
                    self.assertTrue(c.HasField("published_at"), e)
                    self.assertLessEqual(c.published_at.ToSeconds(), as_of.ToSeconds(), e)

            # Unset known_as_of: unchanged answers; far future: same as all.
            future = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="IR", known_as_of=ts("2100-01-01T00:00:00Z"),
                page_size=1000), timeout=30)
            undated = [e for e in full.events
                       if not all(c.HasField("published_at") for c in e.citations)]
            if not undated:
                self.assertEqual(list(future.events), list(full.events))
            # The other list RPCs accept it.
            q.ListAgreements(STUBS.query.ListAgreementsRequest(known_as_of=as_of), timeout=30)
            q.ListFigures(STUBS.query.ListFiguresRequest(known_as_of=as_of), timeout=30)
            q.ListDisputedFigures(STUBS.query.ListDisputedFiguresRequest(known_as_of=as_of),
                                  timeout=30)
            q.ListRelationsTimeline(STUBS.query.ListRelationsTimelineRequest(
                country_a="AZ", country_b="IR", known_as_of=as_of), timeout=30)


NEW_PERSON = "Zurab Mkhedrishvili"
ARTICLE = ("BAKU, 12 March 2024\n\n"
           "Ilham Aliyev held talks with Zurab Mkhedrishvili in Baku on Tuesday, the "
           "presidential press service said. Aliyev and Mkhedrishvili discussed transit, "
           "energy and trade cooperation.\n")


class ReanalysisTest(unittest.TestCase):
    def test_changed_gazetteer_then_nothing(self):
        with harness.Cluster() as cluster:
            article = STUBS.article.Article(id="reanalysis-1", text=ARTICLE,
                                            source="Test Wire",
                                            published_at=ts("2024-03-12T10:00:00Z"))
            ids, last = ingest(cluster, [article])
            self.assertEqual(ids, ["reanalysis-1"])
            q = cluster.query_stub()
            before = q.GetArticle(STUBS.query.GetArticleRequest(
                article_id="reanalysis-1", min_sequence=last), timeout=30)
            events_before = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="GE"), timeout=30)
            self.assertEqual(len(events_before.events), 0)

            # Re-analysing with unchanged data appends nothing.
            stub = admin_grpc.AdminServiceStub(cluster._channel(cluster.ingest.address))
            started = stub.StartReanalysis(admin.StartReanalysisRequest(), timeout=10)
            self.assertEqual(started.reanalysis.state, admin.REANALYSIS_STATE_RUNNING)
            job = wait_job(stub)
            self.assertEqual(job.state, admin.REANALYSIS_STATE_DONE, job)
            self.assertEqual(job.articles_reanalyzed, 0, job)
            self.assertEqual(log_end(cluster, last + 1), last)

            # A copy of data/ that knows the person, as a new president would be.
            data_copy = os.path.join(cluster.root, "data")
            shutil.copytree(os.path.join(REPO, "data"), data_copy)
            with open(os.path.join(data_copy, "office_holders.tsv"), "a", encoding="utf-8") as f:
                f.write(f"{NEW_PERSON}\tGE\tpresident\t2024-01-01\t\tMkhedrishvili\n")
            restart_ingest_with(cluster, [f"--resources_dir={data_copy}"])
            stub = admin_grpc.AdminServiceStub(cluster._channel(cluster.ingest.address))
            stub.StartReanalysis(admin.StartReanalysisRequest(source="Test Wire"), timeout=10)
            job = wait_job(stub)
            self.assertEqual(job.state, admin.REANALYSIS_STATE_DONE, job)
            self.assertEqual((job.articles_done, job.articles_reanalyzed), (1, 1), job)
            new_last = log_end(cluster, last + 1)
            self.assertEqual(new_last, last + 1)

            after = q.GetArticle(STUBS.query.GetArticleRequest(
                article_id="reanalysis-1", min_sequence=new_last), timeout=30)
            self.assertNotEqual(after.extractor_version, before.extractor_version)
            self.assertEqual(after.extractor_version, job.extractor_version)
            self.assertIn("GE", after.countries)
            events_after = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="GE", min_sequence=new_last), timeout=30)
            self.assertGreater(len(events_after.events), 0)
            self.assertEqual(events_after.events[0].report_count, 1)

            # Again with the same data: nothing appended, same answers.
            stub.StartReanalysis(admin.StartReanalysisRequest(), timeout=10)
            job = wait_job(stub)
            self.assertEqual(job.state, admin.REANALYSIS_STATE_DONE, job)
            self.assertEqual(job.articles_reanalyzed, 0, job)
            self.assertEqual(log_end(cluster, new_last + 1), new_last)
            again = q.ListEvents(STUBS.query.ListEventsRequest(
                country_a="AZ", country_b="GE", min_sequence=new_last), timeout=30)
            self.assertEqual(list(again.events), list(events_after.events))

            # relctl shows the job.
            import subprocess
            out = subprocess.run(
                [harness.binary("relctl"), f"--ingest_target={cluster.ingest.address}",
                 "reanalyze", "--status"], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("DONE", out.stdout)


if __name__ == "__main__":
    harness.run_unittest_main()
