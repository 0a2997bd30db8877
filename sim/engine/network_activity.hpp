#pragma once
// Who is on the network right now, for the hierarchical mode's lazy collectives (sim/engine/collectives.hpp).
// A collective that starts with the network to itself is priced analytically (no SimGrid flow: nothing can
// contend with it), and turns into flows at the instant anything else starts moving bytes (a checkpoint send or
// copy, another collective). One object per replay, made by its owner (sim/engine/zero3_replay.cpp) and handed
// to every party that moves bytes: the ring collectives and the checkpoint traffic. Every call is made from a
// SimGrid actor.
#include <simgrid/s4u.hpp>

#include <cstdint>

namespace gsim {

class NetworkActivity {
 public:
  NetworkActivity() : mutex_(simgrid::s4u::Mutex::create()), started_(simgrid::s4u::ConditionVariable::create()) {}
  NetworkActivity(const NetworkActivity&)            = delete;
  NetworkActivity& operator=(const NetworkActivity&) = delete;

  /** Bytes start moving (flows or a lazily priced collective); wakes the lazy collective, if one runs. */
  void begin();
  void end();
  /** Parties on the network now (begin() calls not yet ended). */
  int users() const { return users_; }
  /** The calling lazy collective (already counted by begin()) waits until `deadline` or until another party
   *  begins; returns false on the deadline (nobody else came), true when it must turn into flows. */
  bool wait_for_company(double deadline);

  /** Holds a begin() for the scope's length; a no-op on a null tracker. */
  class Use {
   public:
    explicit Use(NetworkActivity* n) : n_(n)
    {
      if (n_ != nullptr)
        n_->begin();
    }
    ~Use()
    {
      if (n_ != nullptr)
        n_->end();
    }
    Use(const Use&)            = delete;
    Use& operator=(const Use&) = delete;

   private:
    NetworkActivity* n_;
  };

 private:
  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr started_;
  int users_         = 0;
  uint64_t arrivals_ = 0; // begin() calls so far: a waiter sees company even if it already left
};

} // namespace gsim
