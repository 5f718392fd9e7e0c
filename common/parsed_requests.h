// ParsedRequestService: gRPC callback methods that parse their request bytes
// themselves, so that a request the protobuf layer cannot parse gets a clear
// INVALID_ARGUMENT naming what is wrong instead of gRPC's own answer.
//
// Why: gRPC 1.51's generated callback handlers answer a request that fails
// to deserialize (e.g. invalid UTF-8 in a proto3 `string` field, or garbage
// bytes) with UNIMPLEMENTED and an empty message, which reads as "no such
// method"; a bidi stream message that fails to parse silently looks like a
// half-close. Serving the methods as raw ByteBuffer callbacks and parsing
// here lets the service say which field is wrong, and lets a stream refuse
// one message and go on.
//
// Use: derive the service from ParsedRequestService<relations::v1::FooService>
// (instead of FooService::CallbackService) and, in its constructor, call
// ServeUnary / ServeServerStreaming / ServeBidi for every method of the
// service. Unary handlers get the parsed request and a UnaryResponder;
// streaming reactors work on ByteBuffers and use ParseRequestBytes /
// SerializeToByteBuffer for each message.
#ifndef RELMON_COMMON_PARSED_REQUESTS_H_
#define RELMON_COMMON_PARSED_REQUESTS_H_

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"  // the raw handlers below
#include "grpcpp/support/byte_buffer.h"

namespace relmon {

// Checks that `bytes` is a well-formed protobuf encoding of `type` whose
// proto3 string fields (at any depth) are valid UTF-8. INVALID_ARGUMENT with
// a message naming the field (e.g. "article.title") or the byte offset of
// the malformed part otherwise.
absl::Status CheckWireFormat(std::string_view bytes, const google::protobuf::Descriptor* type);

// Parses `bytes` into `message` (cleared first). On failure returns
// INVALID_ARGUMENT as CheckWireFormat does, and `message` holds what could
// be salvaged: the top-level fields that are valid by themselves (e.g. a
// stream message's client_ref), so the caller can say which request it
// refuses. Never logs.
absl::Status ParseRequestBytes(std::string_view bytes, google::protobuf::Message* message);
absl::Status ParseRequestBytes(const grpc::ByteBuffer& bytes, google::protobuf::Message* message);

// Appends the bytes of `buffer` to `out`; false when they cannot be read.
bool AppendByteBuffer(const grpc::ByteBuffer& buffer, std::string* out);

// Serializes a response for a raw method (replacing what `bytes` held).
grpc::Status SerializeToByteBuffer(const google::protobuf::Message& message,
                                   grpc::ByteBuffer* bytes);

// absl::Status -> grpc::Status (the codes share their numbering).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Finishes one parsed unary call: serializes the response when the status is
// OK, then finishes the call. Copyable; call Finish exactly once. The
// request and response stay valid until then.
class UnaryResponder {
 public:
  struct CallState;
  explicit UnaryResponder(std::shared_ptr<CallState> state) : state_(std::move(state)) {}
  void Finish(const grpc::Status& status) const;

 private:
  std::shared_ptr<CallState> state_;
};

struct UnaryResponder::CallState {
  grpc::ServerUnaryReactor* reactor = nullptr;
  grpc::ByteBuffer* response_bytes = nullptr;
  // Owns the typed request and response (deleted with the state).
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<google::protobuf::Message> response;
};

template <class Request, class Response>
using ParsedUnaryMethod = std::function<void(grpc::CallbackServerContext* context,
                                             const Request& request, Response* response,
                                             UnaryResponder responder)>;

template <class Request>
using ParsedServerStreamingMethod = std::function<grpc::ServerWriteReactor<grpc::ByteBuffer>*(
    grpc::CallbackServerContext* context, const Request& request)>;

using RawUnaryMethod = std::function<grpc::ServerUnaryReactor*(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response)>;

using RawBidiMethod =
    std::function<grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*(
        grpc::CallbackServerContext* context)>;

// A write reactor that only finishes with `status` (a refused subscription).
class FinishedWriteReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit FinishedWriteReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// A bidi reactor that only finishes with `status` (a refused stream).
class FinishedBidiReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit FinishedBidiReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// Index of `method` in the service `service_full_name` (the order of the
// proto file, which is the generated code's method index); -1 if unknown.
int MethodIndex(std::string_view service_full_name, std::string_view method);

namespace parsed_requests_internal {

template <class Request, class Response>
grpc::ServerUnaryReactor* RunUnary(const ParsedUnaryMethod<Request, Response>& handler,
                                   grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request_bytes,
                                   grpc::ByteBuffer* response_bytes) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto state = std::make_shared<UnaryResponder::CallState>();
  state->reactor = reactor;
  state->response_bytes = response_bytes;
  auto request = std::make_unique<Request>();
  absl::Status parsed = ParseRequestBytes(*request_bytes, request.get());
  if (!parsed.ok()) {
    reactor->Finish(ToGrpcStatus(parsed));
    return reactor;
  }
  Request* request_ptr = request.get();
  auto response = std::make_unique<Response>();
  Response* response_ptr = response.get();
  state->request = std::move(request);
  state->response = std::move(response);
  handler(context, *request_ptr, response_ptr, UnaryResponder(std::move(state)));
  return reactor;
}

}  // namespace parsed_requests_internal

// Base of a service whose methods parse their own requests. `Generated` is
// the generated outer class (e.g. relations::v1::IngestService).
template <class Generated>
class ParsedRequestService : public Generated::Service {
 protected:
  template <class Request, class Response>
  void ServeUnary(std::string_view method, ParsedUnaryMethod<Request, Response> handler) {
    this->MarkMethodRawCallback(
        Index(method),
        new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler = std::move(handler)](grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) {
              return parsed_requests_internal::RunUnary<Request, Response>(handler, context,
                                                                           request, response);
            }));
  }

  // A unary method that works on the request's bytes itself (e.g. to reuse
  // a serialized answer); it parses with ParseRequestBytes and must finish
  // the reactor it returns.
  void ServeRawUnary(std::string_view method, RawUnaryMethod handler) {
    this->MarkMethodRawCallback(
        Index(method),
        new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler = std::move(handler)](grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) {
              return handler(context, request, response);
            }));
  }

  template <class Request>
  void ServeServerStreaming(std::string_view method, ParsedServerStreamingMethod<Request> handler) {
    this->MarkMethodRawCallback(
        Index(method),
        new grpc::internal::CallbackServerStreamingHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler = std::move(handler)](
                grpc::CallbackServerContext* context,
                const grpc::ByteBuffer* request_bytes) -> grpc::ServerWriteReactor<grpc::ByteBuffer>* {
              Request request;
              absl::Status parsed = ParseRequestBytes(*request_bytes, &request);
              if (!parsed.ok()) return new FinishedWriteReactor(ToGrpcStatus(parsed));
              return handler(context, request);
            }));
  }

  void ServeBidi(std::string_view method, RawBidiMethod handler) {
    this->MarkMethodRawCallback(
        Index(method),
        new grpc::internal::CallbackBidiHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler = std::move(handler)](grpc::CallbackServerContext* context) {
              return handler(context);
            }));
  }

 private:
  static int Index(std::string_view method) {
    const int index = MethodIndex(Generated::service_full_name(), method);
    // A misspelt method is a programming error caught by any test.
    if (index < 0) std::abort();
    return index;
  }
};

}  // namespace relmon

#endif  // RELMON_COMMON_PARSED_REQUESTS_H_
