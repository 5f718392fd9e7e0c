#!/usr/bin/env python3
"""Client scenario (issue 7): a Python program that uses only stubs generated
from proto/ to stream the seed articles with their metadata, then reads the
relations state, the timeline, agreements, figures and disputed figures, and
asserts on what a user of the API relies on.

    /usr/bin/python3 tests/clients/python/scenario.py                # own services
    /usr/bin/python3 tests/clients/python/scenario.py \\
        --ingest_target=localhost:50051 --query_target=localhost:50052  # running ones

Stubs come from $RELMON_STUB_DIR, build/python, or are generated into gen/.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import relmon_client  # noqa: E402
from relmon_client import short_enum  # noqa: E402


def run(client, stubs, seeds_jsonl):
    facts = stubs.facts
    items = relmon_client.read_jsonl(seeds_jsonl, stubs)
    results, seq = client.ingest(items)
    outcomes = {ref: short_enum(stubs.ingest.IngestOutcome, r.outcome) for ref, r in results.items()}
    print("ingest:", outcomes)
    assert len(results) == len(items) == 5, results
    assert all(o in ("ACCEPTED", "DUPLICATE") for o in outcomes.values()), outcomes

    # Relations state, by names and capitals; the pair comes back sorted.
    state = client.state("Iran", "Baku", min_sequence=seq)
    print(f"state: {state.country_a}-{state.country_b} score {state.score:+.2f} "
          f"{short_enum(facts.RelationsLevel, state.level)} {short_enum(facts.Trend, state.trend)} "
          f"({state.event_count} events, {len(state.evidence)} as evidence)")
    assert (state.country_a, state.country_b) == ("AZ", "IR")
    assert state.level != facts.RELATIONS_LEVEL_UNSPECIFIED
    assert -10 <= state.score <= 10
    assert state.evidence, "a known state shows its evidence"
    for event in state.evidence:
        assert event.citations and event.citations[0].quote, event
        assert sorted(event.actors) == list(event.actors)

    # Timeline: one point per month, oldest first.
    timeline = client.timeline("AZ", "IR", start=relmon_client.parse_date("2021-09"),
                               end=relmon_client.parse_date("2021-12", end=True),
                               granularity=facts.GRANULARITY_MONTH, min_sequence=seq)
    print("timeline:", [(relmon_client.ts_date(p.as_of), short_enum(facts.RelationsLevel, p.level))
                        for p in timeline.points])
    assert len(timeline.points) == 4, len(timeline.points)
    stamps = [p.as_of.seconds for p in timeline.points]
    assert stamps == sorted(stamps)
    levels = [p.level for p in timeline.points]
    assert facts.RELATIONS_LEVEL_HOSTILE in levels or facts.RELATIONS_LEVEL_TENSE in levels, \
        "autumn 2021 was tense between Baku and Tehran"

    # Agreements: the Rasht-Astara railway between Iran and Russia, signed.
    agreements = client.agreements(min_sequence=seq)
    print("agreements:", [(a.name, short_enum(facts.AgreementStatus, a.status)) for a in agreements])
    rasht = [a for a in agreements if "rasht" in a.name.lower() or
             any("rasht" in alias.lower() for alias in a.aliases)]
    assert len(rasht) == 1, "one agreement however the stories name it"
    assert {"IR", "RU"} <= set(rasht[0].parties), rasht[0].parties
    assert rasht[0].status == facts.AGREEMENT_STATUS_SIGNED
    assert all(a.citations for a in agreements)
    by_country = client.agreements(country="Russia", min_sequence=seq)
    assert all("RU" in a.parties for a in by_country) and by_country

    # Figures: the border length, in metres, each with its citation.
    figures = client.figures(country="AZ", quantity="border_length", min_sequence=seq)
    print("border figures:", [(f.value, f.unit, f.citation.source) for f in figures])
    assert figures and all(f.unit == "m" and f.citation.article_id for f in figures)
    values = sorted({round(f.value / 1000) for f in figures})
    assert 132 in values and 44 in values, values

    # Disputes: sources disagree on the Azerbaijan-Iran border length.
    disputes = client.disputes(country="Iran", min_sequence=seq)
    print("disputes:", [(d.quantity, d.min_value, d.max_value, len(d.claims)) for d in disputes])
    border = [d for d in disputes if d.quantity == "border_length"]
    assert len(border) == 1, disputes
    assert border[0].min_value < border[0].max_value and len(border[0].claims) >= 2
    print("scenario: OK")


def main():
    parser = argparse.ArgumentParser(description="issue-7 Python client scenario")
    parser.add_argument("--ingest_target")
    parser.add_argument("--query_target")
    parser.add_argument("--seeds", help="seeds.jsonl (default: ../shared/corpus/seeds.jsonl)")
    args = parser.parse_args()
    import harness
    seeds = args.seeds or os.path.join(harness.shared_dir_or_skip(), "corpus", "seeds.jsonl")
    stubs = relmon_client.load_stubs()
    if args.ingest_target and args.query_target:
        client = relmon_client.Client(args.ingest_target, args.query_target, stubs)
        try:
            run(client, stubs, seeds)
        finally:
            client.close()
        return 0
    cluster = harness.Cluster(prefix="relmon-scenario-").start()
    client = cluster.client()
    try:
        run(client, stubs, seeds)
    finally:
        client.close()
        codes = cluster.stop()
        cluster.cleanup()
    assert all(code == 0 for code in codes.values()), f"exit codes on SIGTERM: {codes}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
