"""Test harness: runs the real ingest-service and query-service binaries.

Each service starts on 127.0.0.1:0 (or a given port) with its own data
directory, announces `listening on HOST:PORT` on stdout, and is considered
ready once grpc.health.v1 reports SERVING. stop() sends SIGTERM and returns the
exit code (the contract says 0); kill() is kill -9.

Configuration comes from the environment that ctest sets (tests/CMakeLists.txt):
  RELMON_BIN_DIR     build/bin with ingest-service, query-service, relctl
  RELMON_STUB_DIR    generated Python stubs (relations/v1/*_pb2*.py, relmon_health)
  RELMON_SHARED_DIR  the shared corpus folder (tests that need it skip when absent)
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SKIP_EXIT_CODE = 77  # ctest SKIP_RETURN_CODE

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def bin_dir():
    return os.environ.get("RELMON_BIN_DIR") or os.path.join(REPO, "build", "bin")


def binary(name):
    path = os.path.join(bin_dir(), name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{name} not built: {path} is missing (build it first)")
    return path


def stub_dir():
    return os.environ.get("RELMON_STUB_DIR") or os.path.join(REPO, "build", "python")


def shared_dir_or_skip():
    """The shared corpus folder, or exits with the skip code and a reason."""
    path = os.environ.get("RELMON_SHARED_DIR") or os.path.join(REPO, "..", "shared")
    if not os.path.isfile(os.path.join(path, "corpus", "seeds.jsonl")):
        print(f"SKIP: shared corpus not found at {os.path.abspath(path)} "
              "(expected corpus/seeds.jsonl beside the checkout)")
        sys.exit(SKIP_EXIT_CODE)
    return os.path.abspath(path)


def load_stubs():
    """Imports the generated modules; returns them as a small namespace."""
    path = stub_dir()
    if not os.path.isdir(os.path.join(path, "relations", "v1")):
        raise RuntimeError(f"Python stubs missing in {path}: build the python_stubs target")
    if path not in sys.path:
        sys.path.insert(0, path)
    sys.path.insert(0, os.path.join(HERE, "clients", "python"))
    import relmon_client  # noqa: E402  (shared with the acceptance checker)
    return relmon_client.load_stubs(path)


class Service:
    """One service process."""

    def __init__(self, name, args, log_dir):
        self.name = name
        self.args = list(args)
        self.log_dir = log_dir
        self.process = None
        self.address = None
        self.log_path = None
        self._starts = 0

    def start(self, timeout=60):
        import grpc
        stubs = load_stubs()
        self._starts += 1
        self.log_path = os.path.join(self.log_dir, f"{self.name}.{self._starts}.log")
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary(self.name)] + self.args, stdout=subprocess.PIPE,
                                        stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        lines = queue.Queue()

        def pump(stream):
            for raw in iter(stream.readline, b""):
                lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while self.address is None:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise RuntimeError(f"{self.name} did not print 'listening on' within {timeout} s"
                                   f"\n{self.log_tail()}")
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                code = self.process.wait()
                raise RuntimeError(f"{self.name} exited with {code} before listening"
                                   f"\n{self.log_tail()}")
            if line.startswith("listening on "):
                self.address = line[len("listening on "):].strip()
        # Wait for health SERVING.
        channel = grpc.insecure_channel(self.address)
        health = stubs.health_grpc.HealthStub(channel)
        request = stubs.health.HealthCheckRequest(service="")
        serving = stubs.health.HealthCheckResponse.SERVING
        while True:
            try:
                if health.Check(request, timeout=2).status == serving:
                    break
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.kill()
                raise RuntimeError(f"{self.name} at {self.address} never became SERVING"
                                   f"\n{self.log_tail()}")
            time.sleep(0.05)
        channel.close()
        return self

    @property
    def port(self):
        return int(self.address.rsplit(":", 1)[1])

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout=60):
        """SIGTERM; returns the exit code (None if it had to be killed)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        return self.process.returncode

    def kill(self):
        """kill -9, as a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return f"({self.name}: no log)"
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text[-lines:])


class Cluster:
    """An ingest service and a query service following it, on temp data dirs.

    Use as a context manager, or call start()/stop(). `stop()` returns the two
    exit codes; `keep` keeps the temp folder (logs) for a failed test.
    """

    def __init__(self, prefix="relmon-test-"):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.ingest = Service("ingest-service", [
            "--listen=127.0.0.1:0", f"--data_dir={self.root}/ingest"], self.root)
        self.query = None
        # Extra flags of the query service (it is created by start()).
        self.query_args = []
        self.stubs = load_stubs()
        self._channels = []
        self.keep = False

    def start(self):
        try:
            self.ingest.start()
            self.query = Service("query-service", [
                "--listen=127.0.0.1:0", f"--data_dir={self.root}/query",
                f"--ingest_target={self.ingest.address}",
                # No dashboard port: parallel test clusters must not race for 8080.
                "--http_listen="] + list(self.query_args), self.root)
            self.query.start()
        except Exception:
            # Leave no process behind; keep the logs for the reader.
            self.ingest.kill()
            if self.query is not None:
                self.query.kill()
            print(f"(cluster failed to start; logs in {self.root})")
            raise
        return self

    def restart_ingest(self):
        """Starts the ingest service again on the same port and data dir."""
        port = self.ingest.port
        self.ingest.args = [f"--listen=127.0.0.1:{port}", f"--data_dir={self.root}/ingest"]
        self.ingest.address = None
        # The kernel may need a moment to release the port after a kill.
        for attempt in range(50):
            try:
                return self.ingest.start()
            except RuntimeError:
                if attempt == 49:
                    raise
                time.sleep(0.2)

    def restart_query(self):
        port = self.query.port
        self.query.args = [f"--listen=127.0.0.1:{port}", f"--data_dir={self.root}/query",
                           f"--ingest_target={self.ingest.address}", "--http_listen="]
        self.query.address = None
        return self.query.start()

    def _channel(self, address):
        import grpc
        channel = grpc.insecure_channel(address, options=[
            ("grpc.max_receive_message_length", 256 * 1024 * 1024)])
        self._channels.append(channel)
        return channel

    def ingest_stub(self):
        return self.stubs.ingest_grpc.IngestServiceStub(self._channel(self.ingest.address))

    def query_stub(self):
        return self.stubs.query_grpc.QueryServiceStub(self._channel(self.query.address))

    def client(self):
        """A relmon_client.Client bound to both services."""
        import relmon_client
        return relmon_client.Client(self.ingest.address, self.query.address, self.stubs)

    def stop(self):
        for channel in self._channels:
            channel.close()
        self._channels = []
        codes = {}
        if self.query is not None:
            codes["query-service"] = self.query.stop()
        codes["ingest-service"] = self.ingest.stop()
        return codes

    def cleanup(self):
        if self.keep:
            print(f"(logs kept in {self.root})")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def logs(self):
        parts = [self.ingest.log_tail()]
        if self.query is not None:
            parts.append(self.query.log_tail())
        return "\n".join(parts)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
        return False


def run_unittest_main():
    """unittest.main() that keeps the process exit code meaningful for ctest."""
    import unittest
    program = unittest.main(exit=False, verbosity=2)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun > 0 and len(result.skipped) == result.testsRun:
        sys.exit(SKIP_EXIT_CODE)
    sys.exit(0)
