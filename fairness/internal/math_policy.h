// The Boost.Math error policy of fairness/: never throw. Callers check their inputs before
// calling Boost, so an error here would be a bug; returning NaN/inf keeps it a value (which
// the result types report as undefined) instead of an exception escaping the library.
#pragma once

#include <boost/math/policies/policy.hpp>

namespace probity::fairness::internal {

using MathPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::rounding_error<boost::math::policies::ignore_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::ignore_error>>;

}  // namespace probity::fairness::internal
