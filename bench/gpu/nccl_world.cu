// NCCL in one process: see nccl_world.hpp.
#include "bench/gpu/nccl_world.hpp"

#include <algorithm>
#include <map>

namespace gsim::gpubench {

std::string coll_name(Coll c)
{
  switch (c) {
  case Coll::all_gather:
    return "all_gather";
  case Coll::reduce_scatter:
    return "reduce_scatter";
  case Coll::all_reduce:
    return "all_reduce";
  case Coll::send_recv:
    return "send_recv";
  }
  return "?";
}

namespace {

std::map<int, std::unique_ptr<NcclWorld>>& worlds()
{
  static std::map<int, std::unique_ptr<NcclWorld>> w;
  return w;
}

} // namespace

NcclWorld& NcclWorld::get(int ranks)
{
  auto& w = worlds();
  if (not w.count(ranks)) {
    require_gpus(ranks);
    w[ranks].reset(new NcclWorld(ranks));
    at_cleanup([ranks] { worlds().erase(ranks); });
  }
  return *w[ranks];
}

NcclWorld::NcclWorld(int ranks) : comms_(static_cast<size_t>(ranks))
{
  std::vector<int> devices(static_cast<size_t>(ranks));
  for (int r = 0; r < ranks; r++)
    devices[r] = r;
  GSIM_NCCL(ncclCommInitAll(comms_.data(), ranks, devices.data()));
  for (int r = 0; r < ranks; r++) {
    streams_.push_back(std::make_unique<Stream>(r));
    timers_.push_back(std::make_unique<EventTimer>(r));
  }
  send_.resize(static_cast<size_t>(ranks));
  recv_.resize(static_cast<size_t>(ranks));
}

NcclWorld::~NcclWorld()
{
  for (int r = 0; r < ranks(); r++)
    (void)cudaStreamSynchronize(stream(r));
  for (auto c : comms_)
    (void)ncclCommDestroy(c);
}

void NcclWorld::reserve(int64_t bytes)
{
  if (bytes <= capacity_)
    return;
  for (int r = 0; r < ranks(); r++) {
    send_[r] = DeviceBuffer(); // free the smaller buffers before asking for the larger ones
    recv_[r] = DeviceBuffer();
  }
  capacity_ = 0;
  for (int r = 0; r < ranks(); r++) {
    require_free_memory(r, 2.0 * static_cast<double>(bytes));
    send_[r] = DeviceBuffer(r, static_cast<size_t>(bytes));
    recv_[r] = DeviceBuffer(r, static_cast<size_t>(bytes));
    fill_random(send_[r].get(), static_cast<size_t>(bytes) / 4, Elem::f32, static_cast<uint64_t>(r), stream(r));
    GSIM_CUDA(cudaStreamSynchronize(stream(r)));
  }
  capacity_ = bytes;
}

void NcclWorld::launch(Coll c, int64_t bytes)
{
  const int n        = ranks();
  const size_t count = static_cast<size_t>(bytes) / 4; // whole array, fp32 elements
  const size_t chunk = count / static_cast<size_t>(n); // one rank's share
  GSIM_NCCL(ncclGroupStart());
  for (int r = 0; r < n; r++) {
    void* s = send_[r].get();
    void* d = recv_[r].get();
    switch (c) {
    case Coll::all_gather:
      GSIM_NCCL(ncclAllGather(s, d, chunk, ncclFloat, comms_[r], stream(r)));
      break;
    case Coll::reduce_scatter:
      GSIM_NCCL(ncclReduceScatter(s, d, chunk, ncclFloat, ncclSum, comms_[r], stream(r)));
      break;
    case Coll::all_reduce:
      GSIM_NCCL(ncclAllReduce(s, d, count, ncclFloat, ncclSum, comms_[r], stream(r)));
      break;
    case Coll::send_recv: // nccl-tests sendrecv: each rank sends S to the next, receives S from the previous
      GSIM_NCCL(ncclSend(s, count, ncclFloat, (r + 1) % n, comms_[r], stream(r)));
      GSIM_NCCL(ncclRecv(d, count, ncclFloat, (r + n - 1) % n, comms_[r], stream(r)));
      break;
    }
  }
  GSIM_NCCL(ncclGroupEnd());
}

void NcclWorld::check(Coll c, int64_t bytes) const
{
  const int n        = ranks();
  const size_t count = static_cast<size_t>(bytes) / 4;
  const size_t chunk = count / static_cast<size_t>(n);
  auto sent          = [](int rank, size_t i) { return random_value(i, static_cast<uint64_t>(rank)); };
  auto sum           = [&](size_t i) {
    float s = 0; // inputs are multiples of 1/128 in [-1, 1): sums of a few are exact in fp32
    for (int q = 0; q < n; q++)
      s += sent(q, i);
    return s;
  };
  const size_t received = c == Coll::reduce_scatter ? chunk : count;
  for (int r = 0; r < n; r++)
    for (size_t i : {size_t(0), received / 2 + 1, received - 1}) {
      float want = 0;
      switch (c) {
      case Coll::all_gather:
        want = sent(static_cast<int>(i / chunk), i % chunk);
        break;
      case Coll::reduce_scatter:
        want = sum(static_cast<size_t>(r) * chunk + i);
        break;
      case Coll::all_reduce:
        want = sum(i);
        break;
      case Coll::send_recv:
        want = sent((r + n - 1) % n, i);
        break;
      }
      expect_near(coll_name(c) + " rank " + std::to_string(r) + " recv[" + std::to_string(i) + "]",
                  read_element(recv_[r].get(), i, Elem::f32), want, 0);
    }
}

void NcclWorld::start_timers()
{
  for (int r = 0; r < ranks(); r++)
    timers_[r]->start(stream(r));
}

void NcclWorld::stop_timers()
{
  for (int r = 0; r < ranks(); r++)
    timers_[r]->stop(stream(r));
}

double NcclWorld::slowest_timer()
{
  double s = 0;
  for (int r = 0; r < ranks(); r++)
    s = std::max(s, timers_[r]->seconds());
  return s;
}

double NcclWorld::time(Coll c, int64_t bytes)
{
  start_timers();
  launch(c, bytes);
  stop_timers();
  return slowest_timer();
}

} // namespace gsim::gpubench
