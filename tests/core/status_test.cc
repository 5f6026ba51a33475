#include "audit/core/status.h"

#include <gtest/gtest.h>

#include "audit/core/result.h"

namespace probity {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, FormatsLocationMessageAndExpectation) {
  Status s = InvalidArgumentError("found \"4o\" in column \"age\"")
                 .At({"german.csv", 17, 4})
                 .Expecting("a number");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "german.csv:17:4: found \"4o\" in column \"age\"; expected a number");
}

TEST(StatusTest, OmitsUnknownParts) {
  EXPECT_EQ(IoError("disk full").ToString(), "disk full");
  EXPECT_EQ(NotFoundError("gone").At({"a.csv", 0, 0}).ToString(), "a.csv: gone");
  EXPECT_EQ(NotFoundError("gone").At({"a.csv", 3, 0}).ToString(), "a.csv:3: gone");
}

TEST(StatusTest, InFileKeepsAnExistingFile) {
  Status s = InvalidArgumentError("bad").At({"", 2, 5});
  s.InFile("x.csv");
  EXPECT_EQ(s.ToString(), "x.csv:2:5: bad");
  s.InFile("y.csv");
  EXPECT_EQ(s.location().file, "x.csv");
}

TEST(StatusTest, CopiesAreIndependent) {
  Status a = InternalError("one");
  Status b = a;
  b.Expecting("two");
  EXPECT_EQ(a.expected(), "");
  EXPECT_EQ(b.expected(), "two");
  EXPECT_EQ(a, b);  // equality compares code and message
}

TEST(StatusTest, CodeNamesAreStable) {
  EXPECT_EQ(StatusCodeName(StatusCode::kIntegrityViolation), "integrity_violation");
  EXPECT_EQ(StatusCodeName(StatusCode::kFailedPrecondition), "failed_precondition");
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  PROBITY_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "odd");
}

TEST(ResultTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "odd");
}

}  // namespace
}  // namespace probity
