#!/usr/bin/python3
"""Asks the query service how two countries get along and which figures are disputed.

A copyable example of a Python client of relations.v1. It generates the
Python stubs from the repository's proto/ at start-up (Debian's protoc and
/usr/bin/grpc_python_plugin, into a temporary directory), so it needs nothing
but Debian's python3-grpcio and python3-protobuf:

    /usr/bin/python3 examples/python/relations_client.py                 # AZ IR
    /usr/bin/python3 examples/python/relations_client.py Baku Tehran --query localhost:50052

Countries may be ISO codes, English names or capitals. Run against the
services started as in the README (query service on localhost:50052) after
some articles were ingested (e.g. `build/bin/relctl ingest /work/shared/corpus/seeds.jsonl`).
"""

import argparse
import importlib
import os
import subprocess
import sys
import tempfile

import grpc

PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto")


def load_stubs(proto_dir, out_dir):
    """Generates relations/v1/*_pb2*.py into out_dir and imports the query service's."""
    protos = sorted(
        os.path.join("relations", "v1", name)
        for name in os.listdir(os.path.join(proto_dir, "relations", "v1"))
        if name.endswith(".proto"))
    subprocess.run(
        ["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", *protos],
        check=True)
    sys.path.insert(0, out_dir)
    return (importlib.import_module("relations.v1.query_service_pb2"),
            importlib.import_module("relations.v1.query_service_pb2_grpc"),
            importlib.import_module("relations.v1.facts_pb2"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("country_a", nargs="?", default="AZ")
    parser.add_argument("country_b", nargs="?", default="IR")
    parser.add_argument("--query", default="localhost:50052", help="query service HOST:PORT")
    parser.add_argument("--proto", default=PROTO_DIR, help="directory holding relations/v1/*.proto")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as gen_dir:
        query_pb2, query_grpc, facts_pb2 = load_stubs(args.proto, gen_dir)
        with grpc.insecure_channel(args.query) as channel:
            stub = query_grpc.QueryServiceStub(channel)
            try:
                state = stub.GetRelationsState(
                    query_pb2.GetRelationsStateRequest(country_a=args.country_a,
                                                       country_b=args.country_b),
                    timeout=10)
            except grpc.RpcError as err:  # e.g. INVALID_ARGUMENT for an unknown country
                print(f"GetRelationsState: {err.code().name}: {err.details()}", file=sys.stderr)
                return 1
            print(f"{state.country_a}-{state.country_b}: "
                  f"{facts_pb2.RelationsLevel.Name(state.level)} "
                  f"score {state.score:+.2f}, {facts_pb2.Trend.Name(state.trend)}, "
                  f"{state.event_count} events")
            for event in state.evidence:
                when = (event.occurred_at.ToDatetime().date().isoformat()
                        if event.HasField("occurred_at") else "undated")
                quote = event.citations[0].quote if event.citations else ""
                print(f"  {when} {facts_pb2.EventType.Name(event.type)} "
                      f"({event.weight:+.1f}): {quote[:100]}")

            disputes = stub.ListDisputedFigures(
                query_pb2.ListDisputedFiguresRequest(country=args.country_a), timeout=10)
            print(f"disputed figures concerning {args.country_a}: "
                  f"{len(disputes.disputed_figures)}")
            for dispute in disputes.disputed_figures:
                print(f"  {dispute.quantity} of {dispute.subject}: "
                      f"{dispute.min_value:g} .. {dispute.max_value:g} {dispute.unit}")
                for claim in dispute.claims:
                    source = claim.citation.source or claim.citation.article_id
                    print(f"    {claim.value:g} {claim.unit} ({claim.original_text!r}, {source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
