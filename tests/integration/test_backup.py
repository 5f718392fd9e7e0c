"""Backup: AdminService.CreateCheckpoint while a stream is ingesting, then a
second ingest service started on the checkpoint (restore = --data_dir=<it>)
with a fresh query service following it. The restored log is dense, holds at
least the sequence the checkpoint reported, and the restored query service
answers GetArticle exactly as the original for every article in it. Paths
escaping --backup_dir are INVALID_ARGUMENT, an existing one ALREADY_EXISTS;
`relctl backup` prints the path."""

import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

STUBS = harness.load_stubs()
import grpc  # noqa: E402
from relations.v1 import admin_service_pb2 as admin  # noqa: E402
from relations.v1 import admin_service_pb2_grpc as admin_grpc  # noqa: E402

COUNTRIES = [("Azerbaijan", "Iran"), ("Turkey", "Armenia"), ("India", "China"),
             ("Japan", "South Korea"), ("Greece", "Turkey"), ("Kenya", "Uganda")]
VERBS = ["held talks on trade", "signed a memorandum on transport",
         "discussed border security", "agreed to expand cooperation"]


def article(i):
    a, b = COUNTRIES[i % len(COUNTRIES)]
    text = (f"CAPITAL, {1 + i % 28} March 2024\n\nOfficials of {a} and {b} "
            f"{VERBS[i % len(VERBS)]} on Tuesday, the foreign ministries said in statement "
            f"number {i}. The backup test generated this story with serial {i * 7919}.")
    return STUBS.article.Article(text=text)


def read_log(stub):
    """Every event of the log (reads until the follow stays quiet)."""
    call = stub.SubscribeEvents(STUBS.ingest.SubscribeEventsRequest(from_sequence=1), timeout=5)
    events = []
    try:
        for r in call:
            events.append(r.event)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    return events


class BackupTest(unittest.TestCase):
    def test_checkpoint_while_ingesting_and_restore(self):
        cluster = harness.Cluster()
        backup_root = os.path.join(cluster.root, "backups")
        cluster.ingest.args.append(f"--backup_dir={backup_root}")
        cluster.start()
        restored = None
        restored_query = None
        try:
            ingest = cluster.ingest_stub()
            for i in range(20):
                ingest.IngestArticle(STUBS.ingest.IngestArticleRequest(article=article(i)),
                                     timeout=60)
            acks = []
            first_acks = threading.Event()

            def stream():
                def requests():
                    # Paced, so the checkpoint lands in the middle of the stream.
                    for i in range(20, 320):
                        time.sleep(0.01)
                        yield STUBS.ingest.StreamArticlesRequest(article=article(i),
                                                                 client_ref=str(i))

                for r in cluster.ingest_stub().StreamArticles(requests(), timeout=300):
                    acks.append(r)
                    if len(acks) >= 10:
                        first_acks.set()
                first_acks.set()

            streamer = threading.Thread(target=stream)
            streamer.start()
            self.assertTrue(first_acks.wait(120))
            stub = admin_grpc.AdminServiceStub(cluster._channel(cluster.ingest.address))
            checkpoint = stub.CreateCheckpoint(admin.CreateCheckpointRequest(directory="snap1"),
                                               timeout=120)
            streaming_when_taken = len(acks) < 300
            streamer.join()
            self.assertEqual(len(acks), 300)
            self.assertTrue(streaming_when_taken, "the stream ended before the checkpoint")
            self.assertEqual(checkpoint.path, os.path.join(os.path.realpath(backup_root), "snap1"))
            self.assertTrue(os.path.isdir(checkpoint.path))
            self.assertGreaterEqual(checkpoint.last_sequence, 40)

            for bad, code in (("../escape", grpc.StatusCode.INVALID_ARGUMENT),
                              ("/tmp/elsewhere", grpc.StatusCode.INVALID_ARGUMENT),
                              ("snap1", grpc.StatusCode.ALREADY_EXISTS),
                              ("", grpc.StatusCode.INVALID_ARGUMENT)):
                with self.assertRaises(grpc.RpcError) as raised:
                    stub.CreateCheckpoint(admin.CreateCheckpointRequest(directory=bad),
                                          timeout=30)
                self.assertEqual(raised.exception.code(), code, bad)

            out = subprocess.run(
                [harness.binary("relctl"), f"--ingest_target={cluster.ingest.address}",
                 "backup", "snap2"], capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn(os.path.join(os.path.realpath(backup_root), "snap2"), out.stdout)

            # Restore: a second ingest service on the checkpoint, a fresh query service.
            restored_logs = os.path.join(cluster.root, "restored-logs")
            os.makedirs(restored_logs)
            restored = harness.Service("ingest-service", [
                "--listen=127.0.0.1:0", f"--data_dir={checkpoint.path}"], restored_logs)
            restored.start()
            restored_channel = cluster._channel(restored.address)
            events = read_log(STUBS.ingest_grpc.IngestServiceStub(restored_channel))
            sequences = [e.sequence for e in events]
            self.assertEqual(sequences, list(range(1, len(sequences) + 1)), "log is not dense")
            self.assertGreaterEqual(len(sequences), checkpoint.last_sequence)
            self.assertLess(len(sequences), 2 * 320, "the checkpoint holds everything")
            last = sequences[-1]
            self.assertEqual(events[-1].WhichOneof("payload"), "article_analyzed")

            restored_query = harness.Service("query-service", [
                "--listen=127.0.0.1:0", f"--data_dir={cluster.root}/query-restored",
                f"--ingest_target={restored.address}", "--http_listen="], restored_logs)
            restored_query.start()
            original_q = cluster.query_stub()
            restored_q = STUBS.query_grpc.QueryServiceStub(
                cluster._channel(restored_query.address))
            original_last = max(a.sequence for a in acks)
            ids = [e.article_recorded.article.id for e in events
                   if e.WhichOneof("payload") == "article_recorded"]
            self.assertGreaterEqual(len(ids), 20)
            for article_id in ids:
                want = original_q.GetArticle(STUBS.query.GetArticleRequest(
                    article_id=article_id, min_sequence=original_last), timeout=60)
                got = restored_q.GetArticle(STUBS.query.GetArticleRequest(
                    article_id=article_id, min_sequence=last), timeout=60)
                self.assertEqual(got, want, article_id)
            # A restored service keeps appending after the checkpoint's end.
            r = STUBS.ingest_grpc.IngestServiceStub(restored_channel).IngestArticle(
                STUBS.ingest.IngestArticleRequest(article=article(10000)), timeout=60)
            self.assertEqual(r.outcome, STUBS.ingest.INGEST_OUTCOME_ACCEPTED)
            self.assertEqual(r.sequence, last + 2)
        finally:
            codes = {}
            if restored_query is not None:
                codes["restored query"] = restored_query.stop()
            if restored is not None:
                codes["restored ingest"] = restored.stop()
            codes.update(cluster.stop())
            ok = all(c == 0 for c in codes.values())
            cluster.keep = not ok
            cluster.cleanup()
        self.assertTrue(ok, codes)


if __name__ == "__main__":
    harness.run_unittest_main()
