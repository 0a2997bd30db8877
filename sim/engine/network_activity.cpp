#include "sim/engine/network_activity.hpp"

#include <mutex>
#include <stdexcept>

namespace gsim {

void NetworkActivity::begin()
{
  const std::unique_lock lock(*mutex_);
  users_++;
  arrivals_++;
  started_->notify_all();
}

void NetworkActivity::end()
{
  const std::unique_lock lock(*mutex_);
  if (users_ <= 0)
    throw std::logic_error("NetworkActivity: end() without begin()");
  users_--;
}

bool NetworkActivity::wait_for_company(double deadline)
{
  std::unique_lock lock(*mutex_);
  const uint64_t seen = arrivals_;
  // The predicate guards against wake-ups from nobody's arrival; a begin() at the deadline's very instant wins.
  return started_->wait_until(lock, deadline, [this, seen] { return arrivals_ != seen; });
}

} // namespace gsim
