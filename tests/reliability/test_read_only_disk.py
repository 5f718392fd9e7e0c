"""Read-only disk: the ingest store stops accepting writes while the service
runs, then becomes writable again.

How the disk is made read-only: `chattr -R +i` on the data dir (the
immutable attribute on the directory and on every file in it). On ext4 a
write(2) to an immutable file fails with EPERM even through a descriptor
opened before, and nothing can be created, renamed or deleted in an
immutable directory, so RocksDB's WAL append, flush and compaction all fail
as on a read-only mount. (A real `mount -o remount,ro` of a tmpfs or bind
mount is refused with EBUSY while RocksDB holds files open for writing; see
test_disk_full.py.) Needs root (CAP_LINUX_IMMUTABLE) and a file system
whose immutable attribute stops writes on open files; the test probes that
first and skips (exit 77) with the reason otherwise.

Asserted: while read-only, IngestArticle answers UNAVAILABLE and a
StreamArticles call ends UNAVAILABLE, with nothing acknowledged; the
service stays up and SERVING health; once writable it accepts articles
again by itself (no restart) within 30 s; the log is dense and holds every
acknowledged article once; after a restart the same log is there.
"""

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reliability_common as rc  # noqa: E402
from reliability_common import STUBS, grpc, harness  # noqa: E402

ING = STUBS.ingest
ACCEPTED = ING.INGEST_OUTCOME_ACCEPTED


def chattr(flag, path):
    return subprocess.run(["chattr", "-R", flag, path], capture_output=True, text=True,
                          timeout=60)


def immutable_blocks_open_writes(directory):
    """None when `chattr +i` makes writes on an open file fail here, else why not."""
    if shutil.which("chattr") is None:
        return "chattr is not installed"
    probe = os.path.join(directory, "probe")
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, b"a")
        result = subprocess.run(["chattr", "+i", probe], capture_output=True, text=True,
                                timeout=30)
        if result.returncode != 0:
            return f"chattr +i refused: {result.stderr.strip()}"
        try:
            os.write(fd, b"b")
            return "writes to an open immutable file still succeed on this file system"
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EROFS, errno.EACCES):
                return f"unexpected error on an immutable file: {error}"
            return None
    finally:
        os.close(fd)
        subprocess.run(["chattr", "-i", probe], capture_output=True, timeout=30)
        os.remove(probe)


class ReadOnlyDiskTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="relmon-readonly-")
        self.data = os.path.join(self.root, "ingest")
        reason = immutable_blocks_open_writes(self.root)
        if reason:
            shutil.rmtree(self.root, ignore_errors=True)
            self.skipTest(f"cannot make the store read-only here: {reason}")
        self.ingest = harness.Service("ingest-service", [
            "--listen=127.0.0.1:0", f"--data_dir={self.data}", "--write_buffer_mb=1",
            "--block_cache_mb=1"], self.root)
        self.ingest.start()
        self.channels = []
        self.read_only = False

    def tearDown(self):
        chattr("-i", self.data)
        for channel in self.channels:
            channel.close()
        code = self.ingest.stop()
        if code == 0 and not getattr(self, "keep", False):
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            print(f"(kept {self.root})")
        self.assertEqual(code, 0, f"ingest-service exit code {code}\n{self.ingest.log_tail()}")

    def stub(self):
        channel = grpc.insecure_channel(self.ingest.address)
        self.channels.append(channel)
        return STUBS.ingest_grpc.IngestServiceStub(channel)

    def ingest_one(self, tag):
        return self.stub().IngestArticle(ING.IngestArticleRequest(
            article=STUBS.article.Article(text=rc.article_text(tag, time.time_ns()))),
            timeout=30)

    def stream(self, tag, count):
        """(acks, final status code) of one StreamArticles call."""
        requests = [rc.stream_request(rc.article_text(tag, i), str(i)) for i in range(count)]
        acks = []
        try:
            for response in self.stub().StreamArticles(iter(requests), timeout=60):
                acks.append(response)
            return acks, grpc.StatusCode.OK
        except grpc.RpcError as error:
            return acks, error.code()

    def test_read_only_store_refuses_then_recovers(self):
        acks, code = self.stream("before", 40)
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertEqual([a.outcome for a in acks], [ACCEPTED] * 40)
        acknowledged = [a.article_id for a in acks]

        result = chattr("+i", self.data)
        self.assertEqual(result.returncode, 0, result.stderr)

        # Unary: UNAVAILABLE, never an acknowledgement.
        refused = 0
        for i in range(5):
            try:
                response = self.ingest_one(f"read-only-unary-{i}")
                self.fail(f"acknowledged while the store is read-only: {response}")
            except grpc.RpcError as error:
                self.assertEqual(error.code(), grpc.StatusCode.UNAVAILABLE, error)
                self.assertTrue(error.details(), "UNAVAILABLE without a message")
                unary_message = error.details()
                refused += 1
        # Stream: ends UNAVAILABLE; nothing acknowledged.
        stream_acks, code = self.stream("read-only-stream", 20)
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE,
                         f"stream ended {code} after {len(stream_acks)} acks")
        self.assertEqual(stream_acks, [], "acknowledged while the store is read-only")
        self.assertTrue(self.ingest.alive(), f"ingest-service died\n{self.ingest.log_tail()}")
        self.assertEqual(rc.health_status(self.ingest.address), "SERVING")
        # Reading the committed log still works while writes fail.
        before = rc.read_log(self.stub(), 80, timeout=30)
        self.assertEqual(len(before), 80)

        result = chattr("-i", self.data)
        self.assertEqual(result.returncode, 0, result.stderr)
        started = time.monotonic()
        deadline = rc.Deadline(30)
        fresh = None
        while fresh is None:
            try:
                fresh = self.ingest_one("after")
            except grpc.RpcError as error:
                self.assertEqual(error.code(), grpc.StatusCode.UNAVAILABLE, error)
                if deadline.expired():
                    self.fail(f"no recovery within 30 s of the store becoming writable\n"
                              f"{self.ingest.log_tail()}")
                time.sleep(0.2)
        recovery = time.monotonic() - started
        self.assertEqual(fresh.outcome, ACCEPTED, fresh)
        acknowledged.append(fresh.article_id)
        more, code = self.stream("after-stream", 20)
        self.assertEqual(code, grpc.StatusCode.OK)
        self.assertEqual([a.outcome for a in more], [ACCEPTED] * 20)
        acknowledged += [a.article_id for a in more]
        last = max(a.sequence for a in more)

        def check_log():
            events = rc.read_log(self.stub(), last, timeout=60)
            recorded = rc.check_dense_log(self, events, last)
            missing = set(acknowledged) - set(recorded)
            self.assertFalse(missing, f"acknowledged articles lost: {sorted(missing)[:5]}")
            return len(events)

        events = check_log()
        # And it survives a restart.
        self.assertEqual(self.ingest.stop(), 0, self.ingest.log_tail())
        self.ingest.args[0] = f"--listen=127.0.0.1:{self.ingest.port}"
        self.ingest.address = None
        self.ingest.start()
        self.channels = []
        check_log()
        print(f"READ-ONLY store: acks_before={len(acks)} unary_refused={refused} "
              f"unary_status=UNAVAILABLE stream_status=UNAVAILABLE acks_while_read_only=0 "
              f"recovered_without_restart=True recovery_s={recovery:.2f} log_events={events} "
              f"lost=0 message={unary_message!r}", flush=True)


if __name__ == "__main__":
    harness.run_unittest_main()
