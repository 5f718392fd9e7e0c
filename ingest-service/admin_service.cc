#include "ingest-service/admin_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "ingest-service/checkpoint.h"
#include "ingest-service/ingest_service.h"

namespace relmon::ingest {

AdminServiceImpl::AdminServiceImpl(AdminServiceOptions options, EventLog* log,
                                   Reanalyzer* reanalyzer)
    : options_(std::move(options)), log_(log), reanalyzer_(reanalyzer) {}

grpc::ServerUnaryReactor* AdminServiceImpl::StartReanalysis(
    grpc::CallbackServerContext* context, const relations::v1::StartReanalysisRequest* request,
    relations::v1::StartReanalysisResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::StatusOr<relations::v1::Reanalysis> job = reanalyzer_->Start(*request);
  if (!job.ok()) {
    reactor->Finish(ToGrpcStatus(job.status()));
  } else {
    *response->mutable_reanalysis() = *std::move(job);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetReanalysis(
    grpc::CallbackServerContext* context, const relations::v1::GetReanalysisRequest*,
    relations::v1::Reanalysis* response) {
  auto* reactor = context->DefaultReactor();
  *response = reanalyzer_->Get();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::CreateCheckpoint(
    grpc::CallbackServerContext* context, const relations::v1::CreateCheckpointRequest* request,
    relations::v1::CreateCheckpointResponse* response) {
  auto* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> path =
      ResolveCheckpointPath(options_.backup_dir, request->directory());
  if (!path.ok()) {
    reactor->Finish(ToGrpcStatus(path.status()));
    return reactor;
  }
  // A checkpoint mostly hard-links SST files and copies the WAL: quick
  // enough to take on the calling thread.
  absl::StatusOr<uint64_t> last = log_->CreateCheckpoint(*path);
  if (!last.ok()) {
    LogError("checkpoint failed", {{"path", *path}, {"error", last.status().ToString()}});
    reactor->Finish(ToGrpcStatus(last.status()));
    return reactor;
  }
  LogInfo("checkpoint created", {{"path", *path}, {"last_sequence", absl::StrCat(*last)}});
  response->set_path(*path);
  response->set_last_sequence(*last);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace relmon::ingest
