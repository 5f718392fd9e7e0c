#include "common/parsed_requests.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace relmon {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Protobuf's own limit on message nesting.
constexpr int kMaxDepth = 100;

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Offset of the first byte that is not part of well-formed UTF-8 (overlong
// forms, surrogates and code points past U+10FFFF are ill-formed, as the
// protobuf parser holds them), or npos when all is well-formed.
size_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

// A cursor over wire bytes; every read reports failure instead of reading
// past the end.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }
  size_t pos() const { return pos_; }

  bool ReadVarint(uint64_t* value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      const auto b = static_cast<unsigned char>(bytes_[pos_++]);
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return false;
  }
  bool Skip(size_t n) {
    if (n > bytes_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  bool ReadBytes(size_t n, std::string_view* out) {
    if (n > bytes_.size() - pos_) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

std::string FieldPath(const std::string& prefix, const FieldDescriptor* field) {
  return prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
}

absl::Status Malformed(const Descriptor* type, const std::string& path, size_t offset,
                       absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "the request is not a valid ", type->full_name(), " protobuf: ", what, " at byte ", offset,
      path.empty() ? std::string() : absl::StrCat(" of ", path)));
}

bool ChecksUtf8(const FieldDescriptor* field) {
  return field->type() == FieldDescriptor::TYPE_STRING &&
         field->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3;
}

absl::Status CheckMessage(std::string_view bytes, const Descriptor* type, const std::string& path,
                          int depth, size_t base_offset);

// Reads one field (tag already read) from `reader`. `type` may be null for
// the inside of an unknown group.
absl::Status CheckField(WireReader& reader, uint64_t tag, const Descriptor* type,
                        const std::string& path, int depth, size_t base_offset,
                        const Descriptor* root) {
  const uint32_t number = static_cast<uint32_t>(tag >> 3);
  const auto wire = static_cast<WireType>(tag & 7);
  const size_t at = base_offset + reader.pos();
  if (number == 0 || (tag >> 3) > 0x1FFFFFFF) {
    return Malformed(root, path, at, "an invalid field number");
  }
  const FieldDescriptor* field = type == nullptr ? nullptr : type->FindFieldByNumber(number);
  uint64_t value = 0;
  switch (wire) {
    case kVarint:
      if (!reader.ReadVarint(&value)) return Malformed(root, path, at, "truncated varint");
      return absl::OkStatus();
    case kFixed64:
      if (!reader.Skip(8)) return Malformed(root, path, at, "truncated fixed64");
      return absl::OkStatus();
    case kFixed32:
      if (!reader.Skip(4)) return Malformed(root, path, at, "truncated fixed32");
      return absl::OkStatus();
    case kLengthDelimited: {
      std::string_view payload;
      if (!reader.ReadVarint(&value) || value > (uint64_t{1} << 31) ||
          !reader.ReadBytes(static_cast<size_t>(value), &payload)) {
        return Malformed(root, path, at, "a length past the end of the message");
      }
      if (field == nullptr) return absl::OkStatus();  // unknown: kept as bytes
      const size_t payload_at = base_offset + reader.pos() - payload.size();
      if (ChecksUtf8(field)) {
        const size_t bad = FirstInvalidUtf8(payload);
        if (bad != std::string_view::npos) {
          return absl::InvalidArgumentError(absl::StrCat(
              "field ", FieldPath(path, field), " is not valid UTF-8 (byte ", bad,
              " of its value); proto3 string fields must be UTF-8, send raw bytes in a bytes "
              "field"));
        }
      } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
        if (depth + 1 > kMaxDepth) {
          return Malformed(root, path, payload_at, "messages nested too deeply");
        }
        return CheckMessage(payload, field->message_type(), FieldPath(path, field), depth + 1,
                            payload_at);
      }
      return absl::OkStatus();  // bytes, packed scalars
    }
    case kStartGroup: {
      // Groups do not exist in proto3 but the parser accepts unknown ones;
      // skip to the matching end.
      if (depth + 1 > kMaxDepth) return Malformed(root, path, at, "groups nested too deeply");
      while (true) {
        uint64_t inner = 0;
        const size_t inner_at = base_offset + reader.pos();
        if (reader.done() || !reader.ReadVarint(&inner)) {
          return Malformed(root, path, inner_at, "an unterminated group");
        }
        if ((inner & 7) == kEndGroup) {
          if ((inner >> 3) != number) return Malformed(root, path, inner_at, "a mismatched group end");
          return absl::OkStatus();
        }
        absl::Status s = CheckField(reader, inner, nullptr, path, depth + 1, base_offset, root);
        if (!s.ok()) return s;
      }
    }
    case kEndGroup:
      return Malformed(root, path, at, "a group end without its start");
    default:
      return Malformed(root, path, at, absl::StrCat("invalid wire type ", static_cast<int>(wire)));
  }
}

absl::Status CheckMessage(std::string_view bytes, const Descriptor* type, const std::string& path,
                          int depth, size_t base_offset) {
  WireReader reader(bytes);
  while (!reader.done()) {
    const size_t at = base_offset + reader.pos();
    uint64_t tag = 0;
    if (!reader.ReadVarint(&tag)) return Malformed(type, path, at, "an invalid field tag");
    absl::Status s = CheckField(reader, tag, type, path, depth, base_offset, type);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckWireFormat(std::string_view bytes, const Descriptor* type) {
  return CheckMessage(bytes, type, "", 0, 0);
}

absl::Status ParseRequestBytes(std::string_view bytes, google::protobuf::Message* message) {
  message->Clear();
  const Descriptor* type = message->GetDescriptor();
  // Checked before parsing so the protobuf library never sees (and logs)
  // invalid UTF-8, and so the error can name the field.
  absl::Status checked = CheckWireFormat(bytes, type);
  if (checked.ok()) {
    if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::OkStatus();
    }
    message->Clear();
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a valid ", type->full_name(), " protobuf"));
  }
  // Salvage the top-level fields that are valid by themselves; a
  // length-delimited field with bad content is dropped whole, and anything
  // structurally broken ends the salvage (the rest cannot be framed).
  std::string salvage;
  WireReader reader(bytes);
  while (!reader.done()) {
    const size_t start = reader.pos();
    uint64_t tag = 0;
    if (!reader.ReadVarint(&tag)) break;
    if ((tag & 7) == kLengthDelimited) {
      uint64_t length = 0;
      std::string_view payload;
      if (!reader.ReadVarint(&length) || length > (uint64_t{1} << 31) ||
          !reader.ReadBytes(static_cast<size_t>(length), &payload)) {
        break;
      }
      const std::string_view whole = bytes.substr(start, reader.pos() - start);
      WireReader one(whole);
      uint64_t same_tag = 0;
      one.ReadVarint(&same_tag);
      if (CheckField(one, same_tag, type, "", 0, 0, type).ok()) salvage.append(whole);
      continue;
    }
    if (!CheckField(reader, tag, type, "", 0, 0, type).ok()) break;
    salvage.append(bytes.substr(start, reader.pos() - start));
  }
  if (!message->ParseFromString(salvage)) message->Clear();
  return checked;
}

absl::Status ParseRequestBytes(const grpc::ByteBuffer& bytes, google::protobuf::Message* message) {
  grpc::Slice single;
  if (bytes.TrySingleSlice(&single).ok()) {
    return ParseRequestBytes(
        std::string_view(reinterpret_cast<const char*>(single.begin()), single.size()), message);
  }
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) {
    message->Clear();
    return absl::InvalidArgumentError("the request could not be read");
  }
  std::string flat;
  flat.reserve(bytes.Length());
  for (const grpc::Slice& s : slices) {
    flat.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return ParseRequestBytes(std::string_view(flat), message);
}

bool AppendByteBuffer(const grpc::ByteBuffer& buffer, std::string* out) {
  grpc::Slice single;
  if (buffer.TrySingleSlice(&single).ok()) {
    out->append(reinterpret_cast<const char*>(single.begin()), single.size());
    return true;
  }
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  out->reserve(out->size() + buffer.Length());
  for (const grpc::Slice& s : slices) out->append(reinterpret_cast<const char*>(s.begin()), s.size());
  return true;
}

grpc::Status SerializeToByteBuffer(const google::protobuf::Message& message,
                                   grpc::ByteBuffer* bytes) {
  bool own_buffer = false;
  // gRPC's serializer wants an empty buffer; a reactor reuses its own.
  bytes->Clear();
  return grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, bytes,
                                                                         &own_buffer);
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

void UnaryResponder::Finish(const grpc::Status& status) const {
  grpc::Status final_status = status;
  if (status.ok()) {
    final_status = SerializeToByteBuffer(*state_->response, state_->response_bytes);
  }
  state_->reactor->Finish(final_status);
}

int MethodIndex(std::string_view service_full_name, std::string_view method) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service_full_name));
  if (service == nullptr) return -1;
  const google::protobuf::MethodDescriptor* m = service->FindMethodByName(std::string(method));
  return m == nullptr ? -1 : m->index();
}

}  // namespace relmon
