#include "ingest-service/admin_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "ingest-service/checkpoint.h"
#include "ingest-service/ingest_service.h"

namespace relmon::ingest {

using relations::v1::CreateCheckpointRequest;
using relations::v1::CreateCheckpointResponse;
using relations::v1::GetReanalysisRequest;
using relations::v1::Reanalysis;
using relations::v1::StartReanalysisRequest;
using relations::v1::StartReanalysisResponse;

AdminServiceImpl::AdminServiceImpl(AdminServiceOptions options, EventLog* log,
                                   Reanalyzer* reanalyzer)
    : options_(std::move(options)), log_(log), reanalyzer_(reanalyzer) {
  ServeUnary<StartReanalysisRequest, StartReanalysisResponse>(
      "StartReanalysis",
      [this](grpc::CallbackServerContext*, const StartReanalysisRequest& request,
             StartReanalysisResponse* response, relmon::UnaryResponder responder) {
        StartReanalysis(request, response, std::move(responder));
      });
  ServeUnary<GetReanalysisRequest, Reanalysis>(
      "GetReanalysis", [this](grpc::CallbackServerContext*, const GetReanalysisRequest&,
                              Reanalysis* response, relmon::UnaryResponder responder) {
        GetReanalysis(response, std::move(responder));
      });
  ServeUnary<CreateCheckpointRequest, CreateCheckpointResponse>(
      "CreateCheckpoint",
      [this](grpc::CallbackServerContext*, const CreateCheckpointRequest& request,
             CreateCheckpointResponse* response, relmon::UnaryResponder responder) {
        CreateCheckpoint(request, response, std::move(responder));
      });
}

void AdminServiceImpl::StartReanalysis(const StartReanalysisRequest& request,
                                       StartReanalysisResponse* response,
                                       relmon::UnaryResponder responder) {
  absl::StatusOr<Reanalysis> job = reanalyzer_->Start(request);
  if (!job.ok()) {
    responder.Finish(ToGrpcStatus(job.status()));
    return;
  }
  *response->mutable_reanalysis() = *std::move(job);
  responder.Finish(grpc::Status::OK);
}

void AdminServiceImpl::GetReanalysis(Reanalysis* response, relmon::UnaryResponder responder) {
  *response = reanalyzer_->Get();
  responder.Finish(grpc::Status::OK);
}

void AdminServiceImpl::CreateCheckpoint(const CreateCheckpointRequest& request,
                                        CreateCheckpointResponse* response,
                                        relmon::UnaryResponder responder) {
  absl::StatusOr<std::string> path =
      ResolveCheckpointPath(options_.backup_dir, request.directory());
  if (!path.ok()) {
    responder.Finish(ToGrpcStatus(path.status()));
    return;
  }
  // A checkpoint mostly hard-links SST files and copies the WAL: quick
  // enough to take on the calling thread.
  absl::StatusOr<uint64_t> last = log_->CreateCheckpoint(*path);
  if (!last.ok()) {
    LogError("checkpoint failed", {{"path", *path}, {"error", last.status().ToString()}});
    responder.Finish(ToGrpcStatus(last.status()));
    return;
  }
  LogInfo("checkpoint created", {{"path", *path}, {"last_sequence", absl::StrCat(*last)}});
  response->set_path(*path);
  response->set_last_sequence(*last);
  responder.Finish(grpc::Status::OK);
}

}  // namespace relmon::ingest
