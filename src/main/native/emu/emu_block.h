// emu_block.h: the bookkeeping of one block's barriers and warp collectives, shared by both runtimes.
//
// The fiber runtime (emu_fibers.cpp) and the ThreadSanitizer runtime (emu_threads.cpp) differ only in how a thread
// waits; what a barrier or a collective means, when it completes, what each lane gets back and which uses are errors
// is decided here, once. Errors are thrown as KernelFault with a message naming threads and call sites; the
// runtime adds the kernel name and block index and hands the message to Java as a DeviceException.
// Neither class locks: the fiber runtime needs no locks, the threads runtime holds the block's or warp's mutex.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "emu_sync.h"

namespace cuda_emu {

// A call site of an intrinsic, as written in the kernel source.
struct Site {
    const char* file = nullptr;
    int line = 0;

    bool operator==(const Site& other) const;
    std::string str() const;  // "selftest.cu:42"
};

// A misuse detected while a block runs (divergent barrier, bad shuffle, __trap, ...).
class KernelFault : public std::runtime_error {
public:
    explicit KernelFault(const std::string& message) : std::runtime_error(message) {}
};

const char* warp_op_name(WarpOp op);
const char* barrier_op_name(BarrierOp op);

// "threads 0-31 wait in X; threads 32-63 have returned": threads grouped by what they do, ranges merged.
// labels[tid] is empty for threads that should not be mentioned.
std::string describe_threads(const std::vector<std::string>& labels, const char* noun = "threads");

// One block's __syncthreads: which threads wait where, and which have returned from the kernel.
class BarrierState {
public:
    void reset(int threads);

    // Records that thread tid waits at a barrier. Returns true if it is the last to arrive (then call complete()).
    // Throws if threads of the block have already returned: they would never arrive.
    bool arrive(int tid, BarrierOp op, int pred, const Site& site);

    // Called by the last arrival: checks that every thread waits at the same __syncthreads, computes the result of
    // __syncthreads_count/_and/_or, and opens the next barrier. Throws on divergent barriers.
    int complete();

    // Records that thread tid returned from the kernel. Throws if threads wait at a barrier.
    void exit(int tid);

    int waiting() const { return arrived_; }
    bool is_waiting(int tid) const { return here_[tid] != 0; }
    const Site& site_of(int tid) const { return sites_[tid]; }

private:
    std::string returned_threads() const;

    int threads_ = 0;
    int arrived_ = 0;
    int exited_count_ = 0;
    std::vector<char> here_;
    std::vector<char> exited_;
    std::vector<Site> sites_;
    std::vector<int> preds_;
    std::vector<BarrierOp> ops_;
};

// One warp's collectives (__shfl*_sync, __ballot_sync, __all/any_sync, __syncwarp, __reduce_*_sync). Lanes named in
// a mask rendezvous; several disjoint groups may be pending at once (e.g. the two halves of a warp in an if/else).
class WarpRendezvous {
public:
    struct Call {
        WarpOp op;
        unsigned mask;
        uint64_t value;
        int arg;
        int width;
        Site site;
    };

    // existing: the lanes this warp has (a block of 48 threads has a second warp of 16 lanes).
    void reset(unsigned existing);

    // Records lane's call. If it completes its group, fills results[l] for every lane l of the mask and returns the
    // mask (the lanes to release); else returns 0. Throws on misuse.
    unsigned arrive(int lane, const Call& call, uint64_t results[32]);

    // Records that lane returned from the kernel. Throws if a pending group waits for it.
    void exit(int lane);

    // For deadlock reports: what the lane waits in, or "" if it does not wait here.
    std::string waiting_label(int lane) const;

private:
    struct Group {
        bool open = false;
        unsigned mask = 0;
        unsigned arrived = 0;
        Call calls[32];
    };

    void finish(Group& group, uint64_t results[32]);

    unsigned existing_ = 0;
    unsigned exited_ = 0;
    int open_groups_ = 0;
    Group groups_[32];
};

}  // namespace cuda_emu
