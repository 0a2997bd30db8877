// nccl-tests' accounting of the collectives the calibration measures.
#include "models/calibration.hpp"

#include <stdexcept>

namespace gsim {

double bus_factor(CollOp op, int ranks)
{
  if (ranks < 1)
    throw std::invalid_argument("bus_factor: ranks must be >= 1");
  const double n = ranks;
  // nccl-tests doc/PERFORMANCE.md: busbw = algbw * factor, so that busbw compares with a link's peak.
  switch (op) {
  case CollOp::all_reduce:
    return 2 * (n - 1) / n;
  case CollOp::all_gather:
  case CollOp::reduce_scatter:
    return (n - 1) / n;
  case CollOp::send_recv:
    return 1; // nccl-tests src/sendrecv.cu: busbw = algbw
  }
  throw std::logic_error("unknown CollOp");
}

int ring_steps(CollOp op, int ranks)
{
  if (ranks < 1)
    throw std::invalid_argument("ring_steps: ranks must be >= 1");
  switch (op) {
  case CollOp::all_reduce:
    return 2 * (ranks - 1); // reduce-scatter then all-gather
  case CollOp::all_gather:
  case CollOp::reduce_scatter:
    return ranks - 1;
  case CollOp::send_recv:
    return 1;
  }
  throw std::logic_error("unknown CollOp");
}

} // namespace gsim
