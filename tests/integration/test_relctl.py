"""relctl against the real services: ingest with progress summary and exit
codes, every query command in table and --json form, and error exit codes."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402

SHARED = harness.shared_dir_or_skip()
STUBS = harness.load_stubs()
SEEDS_JSONL = os.path.join(SHARED, "corpus", "seeds.jsonl")


class RelctlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster().start()
        cls.relctl = harness.binary("relctl")
        result = cls.run_relctl("--json", "ingest", SEEDS_JSONL)
        cls.ingest_result = result
        cls.ingest_json = json.loads(result.stdout) if result.returncode == 0 else None

    @classmethod
    def tearDownClass(cls):
        codes = cls.cluster.stop()
        cls.cluster.keep = any(code != 0 for code in codes.values())
        cls.cluster.cleanup()
        if cls.cluster.keep:
            raise AssertionError(f"services did not exit 0 on SIGTERM: {codes}")

    @classmethod
    def run_relctl(cls, *args, stdin=None):
        env = dict(os.environ, RELCTL_INGEST_TARGET=cls.cluster.ingest.address,
                   RELCTL_QUERY_TARGET=cls.cluster.query.address, NO_COLOR="1")
        return subprocess.run([cls.relctl] + list(args), capture_output=True, text=True,
                              env=env, input=stdin, timeout=120)

    def query(self, *args):
        seq = self.ingest_json["maxSequence"]
        return self.run_relctl(f"--min_sequence={seq}", *args)

    def test_ingest_reports_every_article(self):
        self.assertEqual(self.ingest_result.returncode, 0, self.ingest_result.stderr)
        self.assertEqual(self.ingest_json["accepted"], 5, self.ingest_json)
        self.assertEqual(len(self.ingest_json["results"]), 5)
        for result in self.ingest_json["results"]:
            self.assertEqual(result["outcome"], "INGEST_OUTCOME_ACCEPTED", result)
        # Again: all duplicates, table summary, exit 0.
        again = self.run_relctl("ingest", SEEDS_JSONL)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("0 accepted, 5 duplicate, 0 rejected", again.stdout)

    def test_ingest_rejections_exit_1_and_are_listed(self):
        with tempfile.TemporaryDirectory() as tmp:
            empty = os.path.join(tmp, "empty.txt")
            open(empty, "w").close()
            good = os.path.join(tmp, "good.txt")
            with open(good, "w") as f:
                f.write("BERLIN, 2 May 2024\n\nGermany and Poland held talks on rail "
                        "links on Thursday, the relctl test says.\n")
            result = self.run_relctl("ingest", empty, good)
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
            self.assertIn("1 accepted", result.stdout)
            self.assertIn("1 rejected", result.stdout)
            self.assertIn(empty, result.stdout)
            stdin = self.run_relctl("ingest", "-", stdin="TOKYO, 5 June 2024\n\nJapan and "
                                    "South Korea held a phone call on Monday.\n")
            self.assertEqual(stdin.returncode, 0, stdin.stdout + stdin.stderr)
            self.assertIn("1 accepted", stdin.stdout)

    def test_query_commands_print_tables(self):
        for args, needle in ((["state", "Azerbaijan", "Iran"], "AZ-IR"),
                             (["state", "AZ", "IR", "--as-of", "2021-10-15"], "2021-10-15"),
                             (["timeline", "AZ", "IR", "--from", "2021-09", "--to", "2021-12"],
                              "PERIOD"),
                             (["events", "AZ", "IR"], "TYPE"),
                             (["agreements"], "STATUS"),
                             (["figures", "--country", "AZ"], "QUANTITY"),
                             (["disputes"], ""),
                             (["state", "JP", "BR"], "UNSPECIFIED")):
            result = self.query(*args)
            self.assertEqual(result.returncode, 0, f"{args}: {result.stderr}")
            self.assertIn(needle, result.stdout, args)
            self.assertNotIn("\033[", result.stdout, "no colour when not a terminal")

    def test_json_output_is_the_proto3_mapping(self):
        state = json.loads(self.query("--json", "state", "Iran", "Azerbaijan").stdout)
        self.assertEqual((state["countryA"], state["countryB"]), ("AZ", "IR"))
        self.assertTrue(state["level"].startswith("RELATIONS_LEVEL_"))
        timeline = json.loads(self.query("--json", "timeline", "AZ", "IR").stdout)
        self.assertIn("points", timeline)
        agreements = json.loads(self.query("--json", "agreements").stdout)["agreements"]
        self.assertTrue(agreements, "the seeds name agreements")
        one = json.loads(self.query("--json", "agreement", agreements[0]["agreementId"]).stdout)
        self.assertEqual(one["agreementId"], agreements[0]["agreementId"])
        shown = self.query("agreement", agreements[0]["agreementId"])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn(agreements[0]["agreementId"], shown.stdout)
        json.loads(self.query("--json", "figures").stdout)
        json.loads(self.query("--json", "disputes").stdout)
        json.loads(self.query("--json", "events", "AZ", "IR", "--type", "visit,phone_call").stdout)
        article_id = self.ingest_json["results"][0]["articleId"]
        article = json.loads(self.query("--json", "article", article_id).stdout)
        self.assertEqual(article["articleId"], article_id)
        self.assertIn(article_id, self.query("article", article_id).stdout)

    def test_errors_have_documented_exit_codes(self):
        unknown = self.query("state", "AZ", "Atlantis")
        self.assertEqual(unknown.returncode, 3, unknown.stdout)
        self.assertIn("INVALID_ARGUMENT", unknown.stderr)
        missing = self.query("article", "no-such-article")
        self.assertEqual(missing.returncode, 3)
        self.assertIn("NOT_FOUND", missing.stderr)
        for bad in (["state", "AZ"], ["bogus"], ["state", "AZ", "IR", "--as-of", "soon"],
                    ["events", "AZ", "IR", "--type", "picnic"], ["ingest", "/no/such/file"]):
            result = self.run_relctl(*bad)
            self.assertEqual(result.returncode, 2, f"{bad}: {result.stderr}")
            self.assertTrue(result.stderr.startswith("relctl: "), result.stderr)
        down = subprocess.run([self.relctl, "--query_target=127.0.0.1:1", "agreements"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(down.returncode, 3)
        self.assertIn("UNAVAILABLE", down.stderr)

    def test_help_for_every_command(self):
        top = self.run_relctl("--help")
        self.assertEqual(top.returncode, 0)
        self.assertIn("Exit codes", top.stdout)
        for command in ("ingest", "state", "timeline", "events", "agreements", "agreement",
                        "figures", "disputes", "article"):
            result = self.run_relctl(command, "--help")
            self.assertEqual(result.returncode, 0, command)
            self.assertIn(f"relctl [global flags] {command}", result.stdout)


if __name__ == "__main__":
    harness.run_unittest_main()
