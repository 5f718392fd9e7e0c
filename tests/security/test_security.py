"""Transport security of the real binaries: TLS, mutual TLS and bearer tokens.

Certificates (a CA, a server certificate for 127.0.0.1/localhost, a client
certificate) are made with `openssl` in a temp dir. One cluster runs with
everything on: the ingest service with TLS + mTLS + write and read tokens, the
query service with TLS + read tokens following the ingest log with a client
certificate and a read token. Skips (77) when openssl is missing.
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
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

STUBS = harness.load_stubs()
import grpc  # noqa: E402

WRITE_TOKEN = "write-secret-0123456789"
READ_TOKEN = "read-secret-9876543210"
ROTATED_TOKEN = "rotated-write-token-42"

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
"""


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_certificates(folder):
    """CA, server and client key pairs (EC P-256) in `folder`; returns paths."""
    config = os.path.join(folder, "openssl.cnf")
    with open(config, "w") as f:
        f.write(OPENSSL_CONFIG)
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-config", config, "-extensions", "ca", "-subj", "/CN=relmon test CA", cwd=folder)
    for name, subject in (("server", "/CN=localhost"), ("client", "/CN=relmon-query")):
        openssl("req", *curve, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-config", config, "-subj", subject, cwd=folder)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2",
                "-extfile", config, "-extensions", name, cwd=folder)
    # A second CA: a client certificate it signed must be refused.
    openssl("req", "-x509", *curve, "-keyout", "other-ca.key", "-out", "other-ca.pem",
            "-days", "2", "-config", config, "-extensions", "ca", "-subj", "/CN=other CA",
            cwd=folder)
    return {name: os.path.join(folder, name) for name in os.listdir(folder)}


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Process:
    """A service binary; ready once health reports SERVING over `credentials`."""

    def __init__(self, name, args, log_dir):
        self.name, self.args, self.log_dir = name, list(args), log_dir
        self.process = None
        self.address = None

    def start(self, credentials, timeout=60):
        self.log_path = os.path.join(self.log_dir, f"{self.name}.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([harness.binary(self.name)] + self.args,
                                            stdout=subprocess.PIPE, stderr=log,
                                            stdin=subprocess.DEVNULL)
        lines = queue.Queue()

        def pump():
            for raw in iter(self.process.stdout.readline, b""):
                lines.put(raw.decode("utf-8", "replace").strip())
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while self.address is None:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError(f"{self.name} exited before listening:\n{self.log_tail()}")
            if line.startswith("listening on "):
                self.address = line[len("listening on "):]
        channel = grpc.secure_channel(self.address, credentials)
        health = STUBS.health_grpc.HealthStub(channel)
        while True:
            try:
                status = health.Check(STUBS.health.HealthCheckRequest(), timeout=2).status
                if status == STUBS.health.HealthCheckResponse.SERVING:
                    break
            except grpc.RpcError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} never became SERVING:\n{self.log_tail()}")
            time.sleep(0.05)
        channel.close()
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def log_tail(self, n=30):
        try:
            return "\n".join(read(self.log_path).decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def bearer(token):
    return (("authorization", f"Bearer {token}"),)


def article(text, title):
    return STUBS.article.Article(source="security-test", title=title, text=text,
                                 language="en")


class SecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("openssl not installed")
        cls.root = tempfile.mkdtemp(prefix="relmon-security-")
        certs_dir = os.path.join(cls.root, "certs")
        os.mkdir(certs_dir)
        cls.certs = make_certificates(certs_dir)
        cls.write_tokens = os.path.join(cls.root, "write.tokens")
        with open(cls.write_tokens, "w") as f:
            f.write(f"# ingest writers\n{WRITE_TOKEN}\n")
        cls.read_tokens = os.path.join(cls.root, "read.tokens")
        with open(cls.read_tokens, "w") as f:
            f.write(f"{READ_TOKEN}\n")
        c = cls.certs
        cls.ca = read(c["ca.pem"])
        cls.client_creds = grpc.ssl_channel_credentials(
            cls.ca, read(c["client.key"]), read(c["client.pem"]))
        cls.ca_only_creds = grpc.ssl_channel_credentials(cls.ca)
        tls = [f"--tls_cert_file={c['server.pem']}", f"--tls_key_file={c['server.key']}"]
        cls.ingest = Process("ingest-service", [
            "--listen=127.0.0.1:0", f"--data_dir={cls.root}/ingest", *tls,
            f"--tls_client_ca_file={c['ca.pem']}",
            f"--write_token_file={cls.write_tokens}",
            f"--read_token_file={cls.read_tokens}"], cls.root)
        cls.query = Process("query-service", [
            "--listen=127.0.0.1:0", f"--data_dir={cls.root}/query", "--http_listen=", *tls,
            f"--read_token_file={cls.read_tokens}",
            f"--ingest_tls_ca_file={c['ca.pem']}",
            f"--ingest_tls_cert_file={c['client.pem']}",
            f"--ingest_tls_key_file={c['client.key']}",
            f"--ingest_token_file={cls.read_tokens}"], cls.root)
        try:
            cls.ingest.start(cls.client_creds)
            cls.query.args.insert(0, f"--ingest_target={cls.ingest.address}")
            cls.query.start(cls.ca_only_creds)
        except Exception:
            for p in (cls.ingest, cls.query):
                if p.process is not None and p.process.poll() is None:
                    p.process.kill()
            print(f"(logs in {cls.root})")
            raise
        cls.ingest_channel = grpc.secure_channel(cls.ingest.address, cls.client_creds)
        cls.ingest_stub = STUBS.ingest_grpc.IngestServiceStub(cls.ingest_channel)
        cls.query_channel = grpc.secure_channel(cls.query.address, cls.ca_only_creds)
        cls.query_stub = STUBS.query_grpc.QueryServiceStub(cls.query_channel)

    @classmethod
    def tearDownClass(cls):
        cls.ingest_channel.close()
        cls.query_channel.close()
        codes = {"query": cls.query.stop(), "ingest": cls.ingest.stop()}
        for process in (cls.ingest, cls.query):
            log = read(process.log_path).decode("utf-8", "replace")
            for secret in (WRITE_TOKEN, READ_TOKEN, ROTATED_TOKEN):
                if secret in log:
                    raise AssertionError(f"{process.name} logged a token")
            if "transport security" not in log:
                raise AssertionError(f"{process.name} did not log its transport security")
        if any(code != 0 for code in codes.values()):
            print(f"(logs kept in {cls.root})")
            raise AssertionError(f"services did not exit 0 on SIGTERM: {codes}")
        shutil.rmtree(cls.root, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def log_sequences(self):
        """Sequences of every event in the ingest log (read with a token)."""
        stream = self.ingest_stub.SubscribeEvents(
            STUBS.ingest.SubscribeEventsRequest(from_sequence=1), timeout=1.5,
            metadata=bearer(READ_TOKEN))
        sequences = []
        try:
            for response in stream:
                sequences.append(response.event.sequence)
        except grpc.RpcError as error:
            self.assertEqual(error.code(), grpc.StatusCode.DEADLINE_EXCEEDED, error.details())
        return sequences

    def assert_code(self, code, call, *args, **kwargs):
        with self.assertRaises(grpc.RpcError) as caught:
            result = call(*args, **kwargs)
            if hasattr(result, "__iter__") and not hasattr(result, "ByteSize"):
                list(result)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        return caught.exception.details()

    def health(self, address, credentials):
        channel = (grpc.insecure_channel(address) if credentials is None
                   else grpc.secure_channel(address, credentials))
        try:
            return STUBS.health_grpc.HealthStub(channel).Check(
                STUBS.health.HealthCheckRequest(), timeout=3).status
        finally:
            channel.close()

    def relctl(self, *args, env=None):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("RELCTL_")}
        full_env.update(NO_COLOR="1", **(env or {}))
        return subprocess.run([harness.binary("relctl")] + list(args), capture_output=True,
                              text=True, env=full_env, timeout=120)

    # -------------------------------------------------------------- tests

    def test_plaintext_client_cannot_reach_tls_ports(self):
        for address in (self.ingest.address, self.query.address):
            self.assert_code(grpc.StatusCode.UNAVAILABLE, self.health, address, None)

    def test_tls_client_reaches_tls_port_without_client_certificate(self):
        serving = STUBS.health.HealthCheckResponse.SERVING
        self.assertEqual(self.health(self.query.address, self.ca_only_creds), serving)

    def test_mutual_tls_refuses_clients_without_a_trusted_certificate(self):
        self.assert_code(grpc.StatusCode.UNAVAILABLE, self.health, self.ingest.address,
                         self.ca_only_creds)
        c = self.certs
        other = grpc.ssl_channel_credentials(self.ca, read(c["other-ca.key"]),
                                             read(c["other-ca.pem"]))
        self.assert_code(grpc.StatusCode.UNAVAILABLE, self.health, self.ingest.address, other)
        # Health stays open (no token) for a client with a good certificate.
        self.assertEqual(self.health(self.ingest.address, self.client_creds),
                         STUBS.health.HealthCheckResponse.SERVING)

    def test_writes_need_a_write_token_and_refusals_write_nothing(self):
        before = self.log_sequences()
        request = STUBS.ingest.IngestArticleRequest(article=article(
            "VIENNA, 3 March 2024\n\nAustria and Hungary signed a water agreement on Monday.",
            "refused write"))
        for metadata in ((), bearer("not-a-token"), bearer(READ_TOKEN),
                         (("authorization", WRITE_TOKEN),)):  # no Bearer scheme
            details = self.assert_code(grpc.StatusCode.UNAUTHENTICATED,
                                       self.ingest_stub.IngestArticle, request, timeout=10,
                                       metadata=metadata)
            self.assertIn("write token", details)
            self.assertNotIn("not-a-token", details)
        streamed = iter([STUBS.ingest.StreamArticlesRequest(article=request.article,
                                                            client_ref="x")])
        self.assert_code(grpc.StatusCode.UNAUTHENTICATED, self.ingest_stub.StreamArticles,
                         streamed, timeout=10)
        self.assertEqual(self.log_sequences(), before, "a refused write changed the log")

        accepted = self.ingest_stub.IngestArticle(request, timeout=30,
                                                  metadata=bearer(WRITE_TOKEN))
        self.assertEqual(accepted.outcome, STUBS.ingest.INGEST_OUTCOME_ACCEPTED, accepted)
        self.assertGreater(accepted.sequence, max(before, default=0))
        # The query service follows over mTLS with its read token.
        summary = self.query_stub.GetArticle(
            STUBS.query.GetArticleRequest(article_id=accepted.article_id,
                                          min_sequence=accepted.sequence),
            timeout=30, metadata=bearer(READ_TOKEN))
        self.assertEqual(summary.title, "refused write")

    def test_admin_service_needs_a_write_token(self):
        # Called generically (empty request): only the auth decision matters.
        get = self.ingest_channel.unary_unary("/relations.v1.AdminService/GetReanalysis",
                                              request_serializer=lambda raw: raw,
                                              response_deserializer=lambda raw: raw)
        for metadata in ((), bearer(READ_TOKEN), bearer("nope")):
            self.assert_code(grpc.StatusCode.UNAUTHENTICATED, get, b"", timeout=10,
                             metadata=metadata)
        try:
            get(b"", timeout=10, metadata=bearer(WRITE_TOKEN))
        except grpc.RpcError as error:
            self.assertNotEqual(error.code(), grpc.StatusCode.UNAUTHENTICATED, error.details())

    def test_reads_need_a_read_token_and_write_tokens_also_read(self):
        request = STUBS.ingest.SubscribeEventsRequest(from_sequence=1)
        for metadata in ((), bearer("nope")):
            self.assert_code(grpc.StatusCode.UNAUTHENTICATED, self.ingest_stub.SubscribeEvents,
                             request, timeout=5, metadata=metadata)
        stream = self.ingest_stub.SubscribeEvents(request, timeout=1,
                                                  metadata=bearer(WRITE_TOKEN))
        try:
            list(stream)
        except grpc.RpcError as error:
            self.assertEqual(error.code(), grpc.StatusCode.DEADLINE_EXCEEDED, error.details())
        query_request = STUBS.query.GetRelationsStateRequest(country_a="AT", country_b="HU")
        self.assert_code(grpc.StatusCode.UNAUTHENTICATED, self.query_stub.GetRelationsState,
                         query_request, timeout=10)
        self.query_stub.GetRelationsState(query_request, timeout=10,
                                          metadata=bearer(READ_TOKEN))

    def test_relctl_sends_its_token_file(self):
        c = self.certs
        tls = [f"--tls_ca_file={c['ca.pem']}", f"--tls_cert_file={c['client.pem']}",
               f"--tls_key_file={c['client.key']}", f"--ingest_target={self.ingest.address}",
               f"--query_target={self.query.address}"]
        text = "OSLO, 4 April 2024\n\nNorway and Sweden held talks on energy on Tuesday.\n"
        path = os.path.join(self.root, "relctl-article.txt")
        with open(path, "w") as f:
            f.write(text)
        refused = self.relctl(*tls, "ingest", path)
        self.assertEqual(refused.returncode, 3, refused.stdout + refused.stderr)
        self.assertIn("UNAUTHENTICATED", refused.stderr)
        accepted = self.relctl(*tls, f"--token_file={self.write_tokens}", "ingest", path)
        self.assertEqual(accepted.returncode, 0, accepted.stdout + accepted.stderr)
        self.assertIn("1 accepted", accepted.stdout)
        state = self.relctl(*tls, "--json", "state", "NO", "SE",
                            env={"RELCTL_TOKEN_FILE": self.read_tokens})
        self.assertEqual(state.returncode, 0, state.stdout + state.stderr)
        self.assertIn('"countryA"', state.stdout)
        plaintext_token = self.relctl(f"--token_file={self.read_tokens}",
                                      f"--query_target={self.query.address}", "state", "NO", "SE")
        self.assertEqual(plaintext_token.returncode, 2, plaintext_token.stderr)
        self.assertIn("needs TLS", plaintext_token.stderr)

    def test_feed_follower_writes_over_mutual_tls_with_its_token(self):
        c = self.certs
        inbox = tempfile.mkdtemp(prefix="inbox-", dir=self.root)
        with open(os.path.join(inbox, "story.txt"), "w") as f:
            f.write("LISBON, 6 May 2024\n\nPortugal and Spain agreed on Wednesday to build "
                    "a new bridge over the Guadiana river.\n")
        tls = [f"--ingest_target={self.ingest.address}",
               f"--ingest_tls_ca_file={c['ca.pem']}",
               f"--ingest_tls_cert_file={c['client.pem']}",
               f"--ingest_tls_key_file={c['client.key']}",
               f"--watch_dir={inbox}", "--log_level=debug"]
        before = self.log_sequences()

        # Without the token: refused (UNAUTHENTICATED, code 16), retried, never written.
        state = os.path.join(self.root, "feeds-refused")
        refused = subprocess.Popen([harness.binary("feed-follower"), *tls, f"--state_dir={state}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        refused.send_signal(signal.SIGTERM)
        _, log = refused.communicate(timeout=60)
        self.assertIn('"code":"16"', log.replace(" ", ""), log[-2000:])
        self.assertEqual(self.log_sequences(), before, "a refused feed-follower wrote")

        # A token without TLS would travel in the clear: refused at start.
        plaintext = subprocess.run(
            [harness.binary("feed-follower"), f"--ingest_target={self.ingest.address}",
             f"--ingest_token_file={self.write_tokens}", f"--watch_dir={inbox}", "--once",
             f"--state_dir={self.root}/feeds-plaintext"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(plaintext.returncode, 2, plaintext.stderr)
        self.assertIn("TLS", plaintext.stderr)

        accepted = subprocess.run(
            [harness.binary("feed-follower"), *tls, f"--ingest_token_file={self.write_tokens}",
             "--once", f"--state_dir={self.root}/feeds-accepted"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(accepted.returncode, 0, accepted.stderr[-2000:])
        self.assertEqual(len(self.log_sequences()), len(before) + 2,
                         "one article = ArticleRecorded + ArticleAnalyzed")

    def test_sighup_reloads_the_token_files(self):
        request = STUBS.ingest.SubscribeEventsRequest(from_sequence=1)
        new_token = ROTATED_TOKEN
        with open(self.write_tokens, "w") as f:
            f.write(f"{new_token}\n")
        try:
            self.ingest.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while True:
                try:
                    list(self.ingest_stub.SubscribeEvents(request, timeout=0.3,
                                                          metadata=bearer(new_token)))
                    break
                except grpc.RpcError as error:
                    if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                        break
                    self.assertLess(time.monotonic(), deadline, "SIGHUP did not reload")
                    time.sleep(0.1)
            self.assert_code(grpc.StatusCode.UNAUTHENTICATED, self.ingest_stub.SubscribeEvents,
                             STUBS.ingest.SubscribeEventsRequest(from_sequence=1), timeout=5,
                             metadata=bearer(WRITE_TOKEN))
            self.assertTrue(self.ingest.process.poll() is None, "SIGHUP ended the process")
        finally:
            with open(self.write_tokens, "w") as f:
                f.write(f"{WRITE_TOKEN}\n")
            self.ingest.process.send_signal(signal.SIGHUP)
            time.sleep(0.3)

    def test_tokens_without_tls_refuse_to_start(self):
        data = tempfile.mkdtemp(prefix="relmon-security-plain-")
        try:
            result = subprocess.run(
                [harness.binary("ingest-service"), "--listen=127.0.0.1:0",
                 f"--data_dir={data}", f"--write_token_file={self.write_tokens}"],
                capture_output=True, text=True, timeout=120)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("need TLS", result.stderr + result.stdout)
            self.assertNotIn(WRITE_TOKEN, result.stderr + result.stdout)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    harness.run_unittest_main()
