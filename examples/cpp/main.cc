// relations-example-cpp: a copyable C++ client of relations.v1 that asks the
// query service how two countries get along and which figures are disputed.
//
// Usage: relations-example-cpp [--query=HOST:PORT] [COUNTRY_A COUNTRY_B]
// (defaults localhost:50052, AZ IR; countries as ISO codes, names or capitals).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "relations/v1/query_service.grpc.pb.h"

namespace {

// Each call gets a deadline: the query service may wait for min_sequence.
void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

std::string Day(const google::protobuf::Timestamp& t) {
  const std::time_t seconds = static_cast<std::time_t>(t.seconds());
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", std::gmtime(&seconds));
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target = "localhost:50052";
  std::string countries[2] = {"AZ", "IR"};
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--query=", 0) == 0) {
      target = arg.substr(8);
    } else if (positional < 2 && arg.rfind("--", 0) != 0) {
      countries[positional++] = arg;
    } else {
      std::fprintf(stderr, "usage: %s [--query=HOST:PORT] [COUNTRY_A COUNTRY_B]\n", argv[0]);
      return 2;
    }
  }

  auto stub = relations::v1::QueryService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));

  relations::v1::GetRelationsStateRequest state_request;
  state_request.set_country_a(countries[0]);
  state_request.set_country_b(countries[1]);
  relations::v1::RelationsState state;
  grpc::ClientContext state_context;
  SetDeadline(&state_context);
  grpc::Status status = stub->GetRelationsState(&state_context, state_request, &state);
  if (!status.ok()) {
    // INVALID_ARGUMENT names the argument ("country_a: ..."); UNAVAILABLE
    // means nothing listens at the target.
    std::fprintf(stderr, "GetRelationsState: code %d: %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  std::printf("%s-%s: %s score %+.2f, %s, %d events\n", state.country_a().c_str(),
              state.country_b().c_str(),
              relations::v1::RelationsLevel_Name(state.level()).c_str(), state.score(),
              relations::v1::Trend_Name(state.trend()).c_str(), state.event_count());
  for (const relations::v1::Event& event : state.evidence()) {
    std::printf("  %s %s (%+.1f): %s\n",
                event.has_occurred_at() ? Day(event.occurred_at()).c_str() : "undated",
                relations::v1::EventType_Name(event.type()).c_str(), event.weight(),
                event.summary().c_str());
  }

  relations::v1::ListDisputedFiguresRequest disputes_request;
  disputes_request.set_country(countries[0]);
  relations::v1::ListDisputedFiguresResponse disputes;
  grpc::ClientContext disputes_context;
  SetDeadline(&disputes_context);
  status = stub->ListDisputedFigures(&disputes_context, disputes_request, &disputes);
  if (!status.ok()) {
    std::fprintf(stderr, "ListDisputedFigures: code %d: %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  std::printf("disputed figures concerning %s: %d\n", countries[0].c_str(),
              disputes.disputed_figures_size());
  for (const relations::v1::DisputedFigure& dispute : disputes.disputed_figures()) {
    std::printf("  %s of %s: %g .. %g %s\n", dispute.quantity().c_str(),
                dispute.subject().c_str(), dispute.min_value(), dispute.max_value(),
                dispute.unit().c_str());
    for (const relations::v1::Figure& claim : dispute.claims()) {
      std::printf("    %g %s (\"%s\", %s)\n", claim.value(), claim.unit().c_str(),
                  claim.original_text().c_str(),
                  claim.citation().source().empty() ? claim.citation().article_id().c_str()
                                                    : claim.citation().source().c_str());
    }
  }
  return 0;
}
