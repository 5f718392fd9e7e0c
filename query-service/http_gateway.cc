#include "query-service/http_gateway.h"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "query-service/web_assets.h"
#include "relations/v1/query_service.grpc.pb.h"

namespace relmon::query {
namespace {

namespace v1 = relations::v1;
using google::protobuf::Message;
using Json = nlohmann::json;

// One answer of the JSON API.
struct Reply {
  int http_status = 200;
  std::string body;
};

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

// google.rpc.BadRequest field violations carried in a status's binary
// details (google.rpc.Status{3: Any{2: BadRequest{1: [{1 field, 2 desc}]}}}),
// read field by field: the google/rpc protos are not installed here.
Json DecodeDetails(const std::string& details) {
  Json out = Json::array();
  google::protobuf::UnknownFieldSet status;
  if (details.empty() || !status.ParseFromString(details)) return out;
  for (int i = 0; i < status.field_count(); ++i) {
    const auto& any_field = status.field(i);
    if (any_field.number() != 3 ||
        any_field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    google::protobuf::UnknownFieldSet any;
    if (!any.ParseFromString(any_field.length_delimited())) continue;
    std::string type_url;
    std::string value;
    for (int j = 0; j < any.field_count(); ++j) {
      if (any.field(j).type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
      if (any.field(j).number() == 1) type_url = any.field(j).length_delimited();
      if (any.field(j).number() == 2) value = any.field(j).length_delimited();
    }
    Json detail = {{"@type", type_url}};
    if (absl::EndsWith(type_url, "google.rpc.BadRequest")) {
      Json violations = Json::array();
      google::protobuf::UnknownFieldSet bad_request;
      if (bad_request.ParseFromString(value)) {
        for (int k = 0; k < bad_request.field_count(); ++k) {
          if (bad_request.field(k).number() != 1 ||
              bad_request.field(k).type() !=
                  google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
            continue;
          }
          google::protobuf::UnknownFieldSet violation;
          if (!violation.ParseFromString(bad_request.field(k).length_delimited())) continue;
          Json v = Json::object();
          for (int m = 0; m < violation.field_count(); ++m) {
            if (violation.field(m).type() !=
                google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
              continue;
            }
            if (violation.field(m).number() == 1)
              v["field"] = violation.field(m).length_delimited();
            if (violation.field(m).number() == 2) {
              v["description"] = violation.field(m).length_delimited();
            }
          }
          violations.push_back(v);
        }
      }
      detail["fieldViolations"] = violations;
    }
    out.push_back(detail);
  }
  return out;
}

Reply ErrorReply(grpc::StatusCode code, const std::string& message,
                 const std::string& binary_details = "") {
  Json body = {{"code", static_cast<int>(code)},
               {"status", GrpcCodeName(code)},
               {"message", message},
               {"details", DecodeDetails(binary_details)}};
  return {HttpStatusFor(code), body.dump()};
}

Reply BadRequest(const std::string& message, const std::string& field) {
  Json body = {
      {"code", static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)},
      {"status", "INVALID_ARGUMENT"},
      {"message", message},
      {"details", Json::array({{{"@type", "type.googleapis.com/google.rpc.BadRequest"},
                                {"fieldViolations",
                                 Json::array({{{"field", field}, {"description", message}}})}}})}};
  return {400, body.dump()};
}

// The JSON printing relctl --json uses, so the two outputs compare equal.
std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) return Json({{"error", status.message().as_string()}}).dump();
  return out;
}

// Turns a query parameter into the JSON value of `field`: dates may be
// written "2023-06-01" (midnight UTC), enums without their prefix
// ("signed" for AGREEMENT_STATUS_SIGNED).
Json ParamValue(const google::protobuf::FieldDescriptor* field, const std::string& value) {
  using FD = google::protobuf::FieldDescriptor;
  if (field->type() == FD::TYPE_MESSAGE &&
      field->message_type()->full_name() == "google.protobuf.Timestamp") {
    if (value.size() == 4) return value + "-01-01T00:00:00Z";
    if (value.size() == 7) return value + "-01T00:00:00Z";
    if (value.size() == 10) return value + "T00:00:00Z";
    return value;
  }
  if (field->type() == FD::TYPE_ENUM) {
    const auto* type = field->enum_type();
    if (type->FindValueByName(value) == nullptr && type->value_count() > 0) {
      std::string prefix = type->value(0)->name();
      auto cut = prefix.rfind("UNSPECIFIED");
      prefix = cut == std::string::npos ? "" : prefix.substr(0, cut);
      std::string upper = absl::AsciiStrToUpper(value);
      std::replace(upper.begin(), upper.end(), '-', '_');
      std::replace(upper.begin(), upper.end(), ' ', '_');
      if (type->FindValueByName(prefix + upper) != nullptr) return prefix + upper;
    }
    return value;
  }
  return value;  // the JSON parser accepts numbers written as strings
}

// Builds the request `message` from path fields and query parameters
// (proto names or JSON names); an unknown parameter is refused.
absl::Status FillRequest(const std::vector<std::pair<std::string, std::string>>& path_fields,
                         const httplib::Params& params, Message* message, std::string* bad_field) {
  const auto* descriptor = message->GetDescriptor();
  Json json = Json::object();
  for (const auto& [name, value] : path_fields) json[name] = value;
  for (const auto& [name, value] : params) {
    const auto* field = descriptor->FindFieldByName(name);
    if (field == nullptr) field = descriptor->FindFieldByCamelcaseName(name);
    if (field == nullptr) field = descriptor->FindFieldByLowercaseName(name);
    if (field == nullptr) {
      *bad_field = name;
      return absl::InvalidArgumentError(
          absl::StrCat("unknown query parameter \"", name, "\" for ", descriptor->name()));
    }
    if (field->is_repeated()) {
      // Repeated: the parameter given several times or comma-separated.
      for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        json[field->json_name()].push_back(ParamValue(field, std::string(part)));
      }
    } else {
      json[field->json_name()] = ParamValue(field, value);
    }
  }
  google::protobuf::util::JsonParseOptions options;
  auto status = google::protobuf::util::JsonStringToMessage(json.dump(), message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("bad request: ", status.message().as_string()));
  }
  return absl::OkStatus();
}

}  // namespace

struct HttpGateway::Impl {
  HttpGatewayOptions options;
  HttpGatewayDeps deps;
  std::unique_ptr<v1::QueryService::Stub> stub;
  httplib::Server server;
  std::thread thread;
  std::string address;
  std::string countries_json;
  bool stopped = false;
  MetricsRegistry::Family* http_requests = nullptr;
  MetricsRegistry::Family* http_latency = nullptr;

  // One RPC by name: request JSON in, reply out.
  using Call = std::function<Reply(Message* request)>;
  struct Rpc {
    std::function<std::unique_ptr<Message>()> new_request;
    Call call;
  };
  std::map<std::string, Rpc> rpcs;

  template <typename Request, typename Response>
  void AddRpc(const std::string& name,
              grpc::Status (v1::QueryService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*)) {
    Rpc rpc;
    rpc.new_request = [] { return std::make_unique<Request>(); };
    rpc.call = [this, method](Message* request) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + options.call_timeout));
      Response response;
      grpc::Status status =
          (stub.get()->*method)(&context, *static_cast<Request*>(request), &response);
      if (!status.ok()) {
        return ErrorReply(status.error_code(), status.error_message(), status.error_details());
      }
      return Reply{200, ToJson(response)};
    };
    rpcs[name] = std::move(rpc);
  }

  Reply CallRpc(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& path_fields,
                const httplib::Params& params) {
    const Rpc& rpc = rpcs.at(name);
    auto request = rpc.new_request();
    std::string field = "query";
    absl::Status filled = FillRequest(path_fields, params, request.get(), &field);
    if (!filled.ok()) return BadRequest(std::string(filled.message()), field);
    return rpc.call(request.get());
  }

  Reply CallRpcWithBody(const std::string& name, const std::string& body) {
    auto it = rpcs.find(name);
    if (it == rpcs.end()) {
      return ErrorReply(grpc::StatusCode::NOT_FOUND, absl::StrCat("no RPC named ", name));
    }
    auto request = it->second.new_request();
    google::protobuf::util::JsonParseOptions options;
    auto status = google::protobuf::util::JsonStringToMessage(body.empty() ? "{}" : body,
                                                              request.get(), options);
    if (!status.ok()) {
      return BadRequest(absl::StrCat("bad request body: ", status.message().as_string()), "body");
    }
    return it->second.call(request.get());
  }

  Reply Status() {
    FollowerStatus f = deps.follower_status ? deps.follower_status() : FollowerStatus{};
    Json body = {
        {"appliedSequence", f.applied_sequence},
        {"receivedSequence", f.received_sequence},
        {"followLagEvents", f.received_sequence - f.applied_sequence},
        {"connected", f.connected},
        {"serving", deps.serving ? deps.serving() : true},
    };
    if (f.last_stream_code != 0) {
      // The ingest service's own status (e.g. RESOURCE_EXHAUSTED), not ours.
      body["lastStreamError"] = {{"code", f.last_stream_code}, {"message", f.last_stream_error}};
    }
    if (f.last_applied_at != absl::InfinitePast()) {
      body["lastAppliedAt"] =
          absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", f.last_applied_at, absl::UTCTimeZone());
    }
    if (f.last_event_recorded_at != absl::InfinitePast() &&
        f.last_applied_at != absl::InfinitePast()) {
      body["followLagSeconds"] =
          absl::ToDoubleSeconds(f.last_applied_at - f.last_event_recorded_at);
    } else {
      body["followLagSeconds"] = 0.0;
    }
    return {200, body.dump()};
  }

  void BuildCountries() {
    std::map<std::string, std::string> by_name;  // name -> code, for a sorted list
    std::set<std::string> codes;
    for (const auto& alias : deps.gazetteer->aliases()) codes.insert(alias.code);
    for (const auto& code : codes) {
      std::string name = deps.gazetteer->ShortName(code);
      if (!name.empty()) by_name[name] = code;
    }
    Json list = Json::array();
    for (const auto& [name, code] : by_name) list.push_back({{"code", code}, {"name", name}});
    countries_json = Json({{"countries", list}}).dump();
  }

  // GET routes of the JSON API; false when the path is not one of them.
  bool RouteApi(const httplib::Request& req, Reply* reply, std::string* handler) {
    std::vector<std::string> parts = absl::StrSplit(req.path, '/', absl::SkipEmpty());
    if (parts.empty() || parts[0] != "v1") return false;
    auto n = parts.size();
    if (n == 2 && parts[1] == "status") {
      *handler = "/v1/status";
      *reply = Status();
      return true;
    }
    if (n == 2 && parts[1] == "countries") {
      *handler = "/v1/countries";
      *reply = {200, countries_json};
      return true;
    }
    if (n == 5 && parts[1] == "relations") {
      std::vector<std::pair<std::string, std::string>> pair = {{"countryA", parts[2]},
                                                               {"countryB", parts[3]}};
      if (parts[4] == "state") {
        *handler = "/v1/relations/{a}/{b}/state";
        *reply = CallRpc("GetRelationsState", pair, req.params);
        return true;
      }
      if (parts[4] == "timeline") {
        *handler = "/v1/relations/{a}/{b}/timeline";
        *reply = CallRpc("ListRelationsTimeline", pair, req.params);
        return true;
      }
      if (parts[4] == "events") {
        *handler = "/v1/relations/{a}/{b}/events";
        *reply = CallRpc("ListEvents", pair, req.params);
        return true;
      }
    }
    if (parts[1] == "agreements" && n <= 3) {
      *handler = n == 2 ? "/v1/agreements" : "/v1/agreements/{id}";
      *reply = n == 2 ? CallRpc("ListAgreements", {}, req.params)
                      : CallRpc("GetAgreement", {{"agreementId", parts[2]}}, req.params);
      return true;
    }
    if (n == 2 && parts[1] == "figures") {
      *handler = "/v1/figures";
      *reply = CallRpc("ListFigures", {}, req.params);
      return true;
    }
    if (n == 2 && parts[1] == "disputes") {
      *handler = "/v1/disputes";
      *reply = CallRpc("ListDisputedFigures", {}, req.params);
      return true;
    }
    if (n == 3 && parts[1] == "articles") {
      *handler = "/v1/articles/{id}";
      *reply = CallRpc("GetArticle", {{"articleId", parts[2]}}, req.params);
      return true;
    }
    *handler = "/v1/unknown";
    *reply = ErrorReply(grpc::StatusCode::NOT_FOUND, absl::StrCat("no endpoint ", req.path));
    return true;
  }

  // Dashboard assets: from --web_dir when set, else embedded.
  bool ServeAsset(const std::string& path, httplib::Response& res) {
    std::string name = path == "/" ? "/index.html" : path;
    if (absl::StrContains(name, "..")) return false;
    if (!options.web_dir.empty()) {
      std::ifstream in(options.web_dir + name, std::ios::binary);
      if (in) {
        std::stringstream content;
        content << in.rdbuf();
        res.set_content(content.str(), WebContentType(name));
        return true;
      }
    }
    const WebAsset* asset = FindWebAsset(name);
    if (asset == nullptr) return false;
    res.set_content(reinterpret_cast<const char*>(asset->data), asset->size, WebContentType(name));
    return true;
  }

  void Record(const std::string& handler, int status, absl::Time start) {
    http_requests->Add({handler, absl::StrCat(status)});
    http_latency->Observe({handler}, absl::ToDoubleSeconds(absl::Now() - start));
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    absl::Time start = absl::Now();
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.method != "GET" && req.method != "HEAD") {
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      res.set_content(ErrorReply(grpc::StatusCode::UNIMPLEMENTED, "use GET").body,
                      "application/json");
      Record("other", res.status, start);
      return;
    }
    if (req.path == "/metrics") {
      res.set_content(deps.metrics->Render(), "text/plain; version=0.0.4; charset=utf-8");
      Record("/metrics", 200, start);
      return;
    }
    Reply reply;
    std::string handler;
    if (RouteApi(req, &reply, &handler)) {
      res.status = reply.http_status;
      res.set_content(reply.body, "application/json");
      Record(handler, res.status, start);
      return;
    }
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                   "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    if (ServeAsset(req.path, res)) {
      Record("static", 200, start);
      return;
    }
    res.status = 404;
    res.set_content("not found\n", "text/plain");
    Record("static", 404, start);
  }
};

HttpGateway::HttpGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpGateway::~HttpGateway() { Stop(); }

const std::string& HttpGateway::address() const { return impl_->address; }

void HttpGateway::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(HttpGatewayOptions options,
                                                                HttpGatewayDeps deps) {
  auto colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen must be HOST:PORT, got \"", options.listen, "\""));
  }
  std::string host = options.listen.substr(0, colon);
  if (deps.grpc_server == nullptr || deps.gazetteer == nullptr || deps.metrics == nullptr) {
    return absl::InvalidArgumentError("HttpGateway needs a gRPC server, gazetteer and metrics");
  }

  auto impl = std::make_unique<Impl>();
  Impl* self = impl.get();
  self->options = std::move(options);
  self->deps = std::move(deps);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  self->stub = v1::QueryService::NewStub(self->deps.grpc_server->InProcessChannel(args));
  self->http_requests = self->deps.metrics->AddCounter("relmon_http_requests_total",
                                                       "HTTP requests, by handler and HTTP status.",
                                                       {"handler", "code"});
  self->http_latency = self->deps.metrics->AddHistogram(
      "relmon_http_request_seconds", "HTTP request handling time, by handler.", {"handler"});
  self->AddRpc("GetRelationsState", &v1::QueryService::Stub::GetRelationsState);
  self->AddRpc("ListRelationsTimeline", &v1::QueryService::Stub::ListRelationsTimeline);
  self->AddRpc("ListEvents", &v1::QueryService::Stub::ListEvents);
  self->AddRpc("ListAgreements", &v1::QueryService::Stub::ListAgreements);
  self->AddRpc("GetAgreement", &v1::QueryService::Stub::GetAgreement);
  self->AddRpc("ListFigures", &v1::QueryService::Stub::ListFigures);
  self->AddRpc("ListDisputedFigures", &v1::QueryService::Stub::ListDisputedFigures);
  self->AddRpc("GetArticle", &v1::QueryService::Stub::GetArticle);
  self->BuildCountries();

  // GET is routed here, before httplib's own (regex) routing and before a
  // body is read; POST /v1/{Rpc} needs the body, so it has literal routes.
  self->server.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "POST") return httplib::Server::HandlerResponse::Unhandled;
    self->Handle(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  for (const auto& [name, rpc] : self->rpcs) {
    std::string rpc_name = name;
    self->server.Post(absl::StrCat("/v1/", name),
                      [self, rpc_name](const httplib::Request& req, httplib::Response& res) {
                        absl::Time start = absl::Now();
                        Reply reply = self->CallRpcWithBody(rpc_name, req.body);
                        res.status = reply.http_status;
                        res.set_header("Cache-Control", "no-store");
                        res.set_content(reply.body, "application/json");
                        self->Record(absl::StrCat("POST /v1/", rpc_name), res.status, start);
                      });
  }
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // service bind the same port and silently share its traffic.
  self->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  self->server.set_payload_max_length(4 * 1024 * 1024);
  self->server.set_read_timeout(10, 0);
  self->server.set_write_timeout(10, 0);

  int bound = port;
  if (port == 0) {
    bound = self->server.bind_to_any_port(host);
    if (bound <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":0"));
  } else if (!self->server.bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", self->options.listen));
  }
  self->address = absl::StrCat(host, ":", bound);
  self->thread = std::thread([self] { self->server.listen_after_bind(); });
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(impl)));
}

}  // namespace relmon::query
