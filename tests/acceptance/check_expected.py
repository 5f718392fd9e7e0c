#!/usr/bin/env python3
"""Generic acceptance checker of a corpus's *.expected.json.

Ingests every file of the matching .jsonl (seeds.expected.json -> seeds.jsonl,
same folder) with its metadata (empty fields left unset) on an empty store,
then queries the services and checks every item of the expected file:

  article_dates     GetArticle: published_at's UTC date (null: unset)
  agreements        ListAgreements: an agreement whose name or an alias contains
                    one of `names` (case-insensitive), whose parties include
                    `parties`, with `status` among the allowed ones, `history`
                    (statuses oldest first, repeats collapsed) equal, and each of
                    `figures` among its figures; `exactly_one`: one such agreement
  figures           ListFigures: quantity (or one of a list), unit, value within
                    0.5 %, `subject` substring, `parties` included, `file` cited
  disputed_figures  ListDisputedFigures: `exactly` that set (each dispute's
                    distinct claim values equal `values_m` within 0.5 %, and no
                    other dispute)
  relations_states  GetRelationsState as of the end of the given day: level (and
                    trend when given) among the allowed values
  events            ListEvents of the dyad: type among the allowed ones, dated at
                    the given precision ("2023-01" is month precision; an event
                    known to the day inside that month also matches)

Prints one PASS/FAIL line per item with what was found; exits 1 when a `must`
item fails (items without `must` count as must). `should` items are reported,
not failed. --known-gaps FILE names items (their printed labels) that may
fail for now: they print KNOWN-GAP instead of failing the run (ctest passes
tests/acceptance/known_gaps_<set>.json when it exists).

By default it starts its own ingest-service and query-service from
$RELMON_BIN_DIR (or build/bin) on temp dirs; --ingest_target/--query_target
use running services instead (their store must be empty).
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "clients", "python"))
import harness  # noqa: E402
import relmon_client  # noqa: E402
from relmon_client import short_enum, ts_date  # noqa: E402

TOLERANCE = 0.005
PRECISION_RANK = {"DAY": 1, "MONTH": 2, "YEAR": 3}


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def close(value, expected):
    if expected == 0:
        return value == 0
    return abs(value - expected) <= TOLERANCE * abs(expected)


def fmt_value(value):
    return f"{value:g}"


class Checker:
    def __init__(self, client, stubs, file_ids, min_sequence, known_gaps):
        self.client = client
        self.stubs = stubs
        self.file_ids = file_ids
        self.min_sequence = min_sequence
        self.known_gaps = set(known_gaps)
        self.results = []  # (label, must, passed, detail)
        self._events = {}
        self._agreements = None
        self._figures = None
        self._disputes = None

    # ------------------------------------------------------------ recording
    def record(self, label, must, passed, detail):
        self.results.append((label, must, passed, detail))
        if passed:
            status = "PASS"
            if label in self.known_gaps:
                detail += "  (listed as a known gap: remove it from the list)"
        elif label in self.known_gaps:
            status = "KNOWN-GAP"
        else:
            status = "FAIL"
        kind = "must  " if must else "should"
        print(f"{status:9} {kind} {label}: {detail}", flush=True)

    def guarded(self, label, must, check):
        try:
            passed, detail = check()
        except Exception as error:  # noqa: BLE001 - an RPC error is a failed item
            passed, detail = False, f"error: {error.__class__.__name__}: " + (
                error.details() if hasattr(error, "details") else str(error))
        self.record(label, must, passed, detail)

    # ------------------------------------------------------------ cached reads
    def agreements(self):
        if self._agreements is None:
            self._agreements = self.client.agreements(min_sequence=self.min_sequence)
        return self._agreements

    def figures(self):
        if self._figures is None:
            self._figures = self.client.figures(min_sequence=self.min_sequence)
        return self._figures

    def disputes(self):
        if self._disputes is None:
            self._disputes = self.client.disputes(min_sequence=self.min_sequence)
        return self._disputes

    def events(self, dyad):
        key = tuple(sorted(dyad))
        if key not in self._events:
            self._events[key] = self.client.events(key[0], key[1],
                                                   min_sequence=self.min_sequence)
        return self._events[key]

    # ------------------------------------------------------------ descriptions
    def describe_agreement(self, a):
        history = " > ".join(
            f"{short_enum(self.stubs.facts.AgreementStatus, h.status)}"
            f"@{ts_date(h.changed_at, short_enum(self.stubs.facts.DatePrecision, h.date_precision)) or '?'}"
            for h in a.history)
        figures = ", ".join(f"{f.quantity}={fmt_value(f.value)}{f.unit}" for f in a.figures)
        return (f"'{a.name}' [{'-'.join(a.parties)}] "
                f"{short_enum(self.stubs.facts.AgreementStatus, a.status)}"
                f" history({history}) figures({figures})")

    def describe_figure(self, f):
        return (f"{f.quantity}={fmt_value(f.value)}{f.unit} '{f.subject}' "
                f"[{'-'.join(f.parties)}] in {f.citation.article_id} ({f.original_text!r})")

    # ------------------------------------------------------------ items
    def check_article_date(self, item):
        label = f"article_dates {item['file']}"
        article_id = self.file_ids.get(item["file"])

        def check():
            if not article_id:
                return False, "the file was not stored (see the ingest lines above)"
            summary = self.client.article(article_id, min_sequence=self.min_sequence)
            found = ts_date(summary.published_at)
            return found == item["date"], f"published_at {found or 'unset'} (expected {item['date'] or 'unset'})"

        self.guarded(label, item.get("must", True), check)

    def agreement_matches_name(self, agreement, names):
        texts = [agreement.name.lower()] + [alias.lower() for alias in agreement.aliases]
        return any(name.lower() in text for name in names for text in texts)

    def check_agreement(self, item):
        names = as_list(item["names"])
        parties = set(item.get("parties") or [])
        label = f"agreements {names[0]} {'-'.join(sorted(parties)) or '*'}"

        def check():
            candidates = [a for a in self.agreements()
                          if self.agreement_matches_name(a, names) and parties <= set(a.parties)]
            if not candidates:
                named = [a for a in self.agreements() if self.agreement_matches_name(a, names)]
                listed = named or self.agreements()
                return False, ("no agreement named " + " / ".join(names) +
                               (f" with parties {sorted(parties)}" if parties else "") +
                               f"; {'same name' if named else 'all'}: " +
                               "; ".join(self.describe_agreement(a) for a in listed[:8]))
            problems_by_candidate = []
            for a in candidates:
                problems = []
                status = short_enum(self.stubs.facts.AgreementStatus, a.status)
                if item.get("status") and status not in item["status"]:
                    problems.append(f"status {status} not in {item['status']}")
                if "history" in item:
                    seen = []
                    for change in a.history:
                        name = short_enum(self.stubs.facts.AgreementStatus, change.status)
                        if not seen or seen[-1] != name:
                            seen.append(name)
                    if seen != item["history"]:
                        problems.append(f"history {seen} != {item['history']}")
                for figure in item.get("figures", []):
                    if not any(f.quantity == figure["quantity"] and f.unit == figure["unit"] and
                               close(f.value, figure["value"]) for f in a.figures):
                        problems.append(f"no figure {figure['quantity']}="
                                        f"{fmt_value(figure['value'])}{figure['unit']}")
                problems_by_candidate.append((a, problems))
            if item.get("exactly_one") and len(candidates) != 1:
                return False, (f"{len(candidates)} agreements match, expected exactly one: " +
                               "; ".join(self.describe_agreement(a) for a in candidates))
            for a, problems in problems_by_candidate:
                if not problems:
                    return True, self.describe_agreement(a)
            return False, " | ".join(
                f"{self.describe_agreement(a)}: {', '.join(p)}" for a, p in problems_by_candidate)

        self.guarded(label, item.get("must", True), check)

    def figure_matches(self, f, item):
        quantities = as_list(item["quantity"])
        if f.quantity not in quantities or f.unit != item["unit"]:
            return False
        if not close(f.value, item["value"]):
            return False
        if item.get("subject") and item["subject"].lower() not in f.subject.lower():
            return False
        if item.get("parties") and not set(item["parties"]) <= set(f.parties):
            return False
        if item.get("file") and f.citation.article_id != self.file_ids.get(item["file"]):
            return False
        return True

    def check_figure(self, item):
        quantities = as_list(item["quantity"])
        label = (f"figures {'|'.join(quantities)} {fmt_value(item['value'])} {item['unit']}" +
                 (f" [{'-'.join(item['parties'])}]" if item.get("parties") else "") +
                 (f" subject~{item['subject']}" if item.get("subject") else "") +
                 (f" in {item['file']}" if item.get("file") else ""))

        def check():
            matches = [f for f in self.figures() if self.figure_matches(f, item)]
            if matches:
                return True, self.describe_figure(matches[0])
            near = [f for f in self.figures() if f.quantity in quantities] or \
                [f for f in self.figures() if close(f.value, item["value"])]
            return False, "not found; " + (
                "similar: " + "; ".join(self.describe_figure(f) for f in near[:6])
                if near else f"{len(self.figures())} figures, none of that quantity")

        self.guarded(label, item.get("must", True), check)

    def dispute_matches(self, d, expected):
        if d.quantity not in as_list(expected["quantity"]):
            return False
        if expected.get("parties") and not set(expected["parties"]) <= set(d.parties):
            return False
        values = [c.value for c in d.claims]
        wanted = expected["values_m"]
        return (all(any(close(v, w) for v in values) for w in wanted) and
                all(any(close(v, w) for w in wanted) for v in values))

    def describe_dispute(self, d):
        claims = ", ".join(f"{fmt_value(c.value)} ({c.citation.source or c.citation.article_id})"
                           for c in d.claims)
        return f"{d.quantity} '{d.subject}' [{'-'.join(d.parties)}] {d.unit}: {claims}"

    def check_disputes(self, block):
        must = block.get("must", True)
        exactly = block.get("exactly", [])
        matched = set()
        for expected in exactly:
            label = (f"disputed_figures {'|'.join(as_list(expected['quantity']))} "
                     f"[{'-'.join(expected.get('parties', []))}] "
                     f"{[fmt_value(v) for v in expected['values_m']]}")

            def check(expected=expected):
                for i, d in enumerate(self.disputes()):
                    if self.dispute_matches(d, expected):
                        matched.add(i)
                        return True, self.describe_dispute(d)
                return False, "not found; disputes: " + (
                    "; ".join(self.describe_dispute(d) for d in self.disputes()) or "none")

            self.guarded(label, expected.get("must", must), check)

        def no_others():
            others = [d for i, d in enumerate(self.disputes())
                      if i not in matched and not any(self.dispute_matches(d, e) for e in exactly)]
            if others:
                return False, "unexpected: " + "; ".join(self.describe_dispute(d) for d in others)
            return True, f"{len(self.disputes())} dispute(s), all expected"

        self.guarded("disputed_figures nothing else", must, no_others)

    def check_state(self, item):
        dyad = item["dyad"]
        label = f"relations_states {'-'.join(dyad)} as of {item['as_of']}"

        def check():
            state = self.client.state(dyad[0], dyad[1],
                                      as_of=relmon_client.parse_date(item["as_of"], end=True),
                                      min_sequence=self.min_sequence)
            level = short_enum(self.stubs.facts.RelationsLevel, state.level)
            trend = short_enum(self.stubs.facts.Trend, state.trend)
            found = f"level {level}, trend {trend}, score {state.score:+.2f}, {state.event_count} events"
            ok = level in item["level"] and (not item.get("trend") or trend in item["trend"])
            wanted = f" (expected level {item['level']}" + (
                f", trend {item['trend']})" if item.get("trend") else ")")
            return ok, found + ("" if ok else wanted)

        self.guarded(label, item.get("must", True), check)

    def check_event(self, item):
        dyad = item["dyad"]
        types = as_list(item["type"])
        date = item["date"]
        precision = item.get("precision") or {10: "DAY", 7: "MONTH", 4: "YEAR"}[len(date)]
        label = f"events {'-'.join(dyad)} {'|'.join(types)} {date}"

        def check():
            events = self.events(dyad)
            of_type = [e for e in events
                       if short_enum(self.stubs.facts.EventType, e.type) in types]
            for e in of_type:
                e_precision = short_enum(self.stubs.facts.DatePrecision, e.date_precision)
                if (PRECISION_RANK.get(e_precision, 9) <= PRECISION_RANK[precision] and
                        ts_date(e.occurred_at, precision) == date):
                    return True, (f"{short_enum(self.stubs.facts.EventType, e.type)} "
                                  f"{ts_date(e.occurred_at, e_precision)} {e_precision}: "
                                  f"{e.summary!r}")
            def brief(e):
                p = short_enum(self.stubs.facts.DatePrecision, e.date_precision)
                return (f"{short_enum(self.stubs.facts.EventType, e.type)}@"
                        f"{ts_date(e.occurred_at, p) or 'undated'}")
            shown = of_type or events
            return False, (f"not found; {'same type' if of_type else 'all'} ({len(shown)}): " +
                           (", ".join(brief(e) for e in shown[:15]) or "none"))

        self.guarded(label, item.get("must", True), check)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--expected", required=True, help="the *.expected.json")
    parser.add_argument("--jsonl", help="articles with metadata (default: beside --expected)")
    parser.add_argument("--known-gaps", help="JSON list of item labels allowed to fail")
    parser.add_argument("--optional-known-gaps",
                        help="like --known-gaps, but ignored when the file does not exist")
    parser.add_argument("--ingest_target", help="use a running ingest service")
    parser.add_argument("--query_target", help="use a running query service")
    args = parser.parse_args()

    if not os.path.isfile(args.expected):
        print(f"SKIP: {args.expected} not found (the shared corpus sits beside the checkout)")
        return harness.SKIP_EXIT_CODE
    with open(args.expected, encoding="utf-8") as f:
        expected = json.load(f)
    jsonl = args.jsonl or args.expected.replace(".expected.json", ".jsonl")
    known_gaps = []
    if not args.known_gaps and args.optional_known_gaps and os.path.isfile(
            args.optional_known_gaps):
        args.known_gaps = args.optional_known_gaps
    if args.known_gaps:
        print(f"known gaps from {args.known_gaps}")
        with open(args.known_gaps, encoding="utf-8") as f:
            known_gaps = json.load(f)

    stubs = harness.load_stubs()
    cluster = None
    if args.ingest_target and args.query_target:
        client = relmon_client.Client(args.ingest_target, args.query_target, stubs)
    else:
        cluster = harness.Cluster(prefix="relmon-acceptance-").start()
        client = cluster.client()

    name = os.path.basename(args.expected)
    print(f"== {name}: {expected.get('about', '')}")
    try:
        items = relmon_client.read_jsonl(jsonl, stubs)
        results, max_sequence = client.ingest(items)
        file_ids = {}
        for ref, _ in items:
            response = results.get(ref)
            outcome = short_enum(stubs.ingest.IngestOutcome, response.outcome) if response else "none"
            print(f"ingest    {ref}: {outcome} {response.article_id if response else ''} "
                  f"seq {response.sequence if response else '-'} {response.message if response else ''}")
            if response and response.article_id and outcome in ("ACCEPTED", "DUPLICATE"):
                file_ids[ref] = response.article_id
        checker = Checker(client, stubs, file_ids, max_sequence, known_gaps)
        for item in expected.get("article_dates", []):
            checker.check_article_date(item)
        for item in expected.get("agreements", []):
            checker.check_agreement(item)
        for item in expected.get("figures", []):
            checker.check_figure(item)
        if "disputed_figures" in expected:
            checker.check_disputes(expected["disputed_figures"])
        for item in expected.get("relations_states", []):
            checker.check_state(item)
        for item in expected.get("events", []):
            checker.check_event(item)
    finally:
        client.close()
        if cluster is not None:
            codes = cluster.stop()
            if any(code != 0 for code in codes.values()):
                print(f"WARNING: services did not exit 0 on SIGTERM: {codes}")
                cluster.keep = True
            cluster.cleanup()

    results = checker.results
    labels = [r[0] for r in results]
    for gap in known_gaps:
        if gap not in labels:
            print(f"NOTE: known gap {gap!r} names no item of {name}")
    must = [r for r in results if r[1]]
    should = [r for r in results if not r[1]]
    must_failed = [r for r in must if not r[2] and r[0] not in checker.known_gaps]
    gaps = [r for r in results if not r[2] and r[0] in checker.known_gaps]
    print(f"== {name}: must {sum(r[2] for r in must)}/{len(must)} passed, "
          f"should {sum(r[2] for r in should)}/{len(should)} passed, "
          f"known gaps {len(gaps)}: {'OK' if not must_failed else 'FAILED'}")
    return 1 if must_failed else 0


if __name__ == "__main__":
    sys.exit(main())
