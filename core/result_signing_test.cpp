#include "core/result_signing.hpp"

#include <gtest/gtest.h>

namespace zsim::core {
namespace {

Identity node_identity(std::uint8_t byte) {
  Seed32 seed{};
  seed.fill(byte);
  return Identity::from_seed(seed);
}

ProvisionResult sample_result(const Identity& node) {
  ProvisionResult result;
  result.workload_id = "12-1";
  result.state = ResultState::ok;
  result.message = "";
  result.data_json = R"({"id":"12-1","ipv4":"10.1.1.2","ipv6":""})";
  result.epoch_s = 1'600'000'000;
  result.node_id = node.node_id();
  return result;
}

TEST(ResultSigning, SignedBytesAreStateByteThenMessageThenData) {
  ProvisionResult result;
  result.state = ResultState::deleted;
  result.message = "msg";
  result.data_json = "{}";
  EXPECT_EQ(result_signing_bytes(result), std::string("\x02msg{}", 6));
  result.state = ResultState::error;
  EXPECT_EQ(result_signing_bytes(result), std::string("\x00msg{}", 6));
  result.state = ResultState::ok;
  EXPECT_EQ(result_signing_bytes(result), std::string("\x01msg{}", 6));
}

TEST(ResultSigning, SignatureIsEd25519OverTheSignedBytes) {
  const Identity node = node_identity(3);
  ProvisionResult result = sample_result(node);
  sign_result(node, result);
  EXPECT_EQ(result.signature_hex, node.sign_hex(result_signing_bytes(result)));
  EXPECT_TRUE(verify_signature_hex(node.public_key, result_signing_bytes(result), result.signature_hex));
  EXPECT_TRUE(verify_result(node.public_key, result));
}

TEST(ResultSigning, AnyChangeToSignedFieldsBreaksTheSignature) {
  const Identity node = node_identity(3);
  ProvisionResult signed_result = sample_result(node);
  sign_result(node, signed_result);

  ProvisionResult changed = signed_result;
  changed.state = ResultState::error;
  EXPECT_FALSE(verify_result(node.public_key, changed));
  changed = signed_result;
  changed.message = "x";
  EXPECT_FALSE(verify_result(node.public_key, changed));
  changed = signed_result;
  changed.data_json += " ";
  EXPECT_FALSE(verify_result(node.public_key, changed));
  changed = signed_result;
  changed.signature_hex[0] = changed.signature_hex[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(verify_result(node.public_key, changed));
  changed = signed_result;
  changed.signature_hex.clear();
  EXPECT_FALSE(verify_result(node.public_key, changed));
}

TEST(ResultSigning, AnotherNodesKeyDoesNotVerify) {
  const Identity node = node_identity(3);
  const Identity other = node_identity(4);
  ProvisionResult result = sample_result(node);
  sign_result(node, result);
  EXPECT_FALSE(verify_result(other.public_key, result));
}

// The signature covers state, message and data only, as in zos: the explorer fills in or rewrites
// the other fields, and must not break it by doing so.
TEST(ResultSigning, FieldsOutsideTheSignedBytesDoNotAffectTheSignature) {
  const Identity node = node_identity(3);
  ProvisionResult result = sample_result(node);
  sign_result(node, result);
  ProvisionResult moved = result;
  moved.epoch_s += 10;
  moved.workload_id = "13-1";
  EXPECT_TRUE(verify_result(node.public_key, moved));
}

// Moving bytes between message and data_json keeps the concatenation, so it keeps the signature:
// that is a property of the zos format, pinned here so that nobody relies on the opposite.
TEST(ResultSigning, SignatureDoesNotSeparateMessageFromData) {
  const Identity node = node_identity(3);
  ProvisionResult result = sample_result(node);
  result.message = "ab";
  result.data_json = "cd";
  sign_result(node, result);
  ProvisionResult shifted = result;
  shifted.message = "abc";
  shifted.data_json = "d";
  EXPECT_TRUE(verify_result(node.public_key, shifted));
}

TEST(ResultSigning, SigningIsDeterministic) {
  const Identity node = node_identity(5);
  ProvisionResult first = sample_result(node);
  ProvisionResult second = sample_result(node);
  sign_result(node, first);
  sign_result(node, second);
  EXPECT_EQ(first.signature_hex, second.signature_hex);
  EXPECT_EQ(first.signature_hex.size(), 128U);
}

}  // namespace
}  // namespace zsim::core
