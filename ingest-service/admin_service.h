// AdminServiceImpl: the gRPC transport of relations.v1.AdminService on the
// ingest service (re-analysis jobs and store checkpoints). Every method
// changes the store or the disk: it needs the same right as writing
// articles.
#ifndef RELMON_INGEST_ADMIN_SERVICE_H_
#define RELMON_INGEST_ADMIN_SERVICE_H_

#include <string>

#include "common/parsed_requests.h"
#include "ingest-service/event_log.h"
#include "ingest-service/reanalyzer.h"
#include "relations/v1/admin_service.grpc.pb.h"

namespace relmon::ingest {

struct AdminServiceOptions {
  // Root under which CreateCheckpoint creates directories; empty: refused.
  std::string backup_dir;
};

// Requests are parsed here (common/parsed_requests.h): one protobuf cannot
// parse gets INVALID_ARGUMENT naming the field.
class AdminServiceImpl final
    : public relmon::ParsedRequestService<relations::v1::AdminService> {
 public:
  // `log` and `reanalyzer` must outlive the service.
  AdminServiceImpl(AdminServiceOptions options, EventLog* log, Reanalyzer* reanalyzer);

 private:
  void StartReanalysis(const relations::v1::StartReanalysisRequest& request,
                       relations::v1::StartReanalysisResponse* response,
                       relmon::UnaryResponder responder);
  void GetReanalysis(relations::v1::Reanalysis* response, relmon::UnaryResponder responder);
  void CreateCheckpoint(const relations::v1::CreateCheckpointRequest& request,
                        relations::v1::CreateCheckpointResponse* response,
                        relmon::UnaryResponder responder);

  const AdminServiceOptions options_;
  EventLog* const log_;
  Reanalyzer* const reanalyzer_;
};

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_ADMIN_SERVICE_H_
