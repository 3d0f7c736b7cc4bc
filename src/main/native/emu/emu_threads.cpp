// emu_threads.cpp: the executor of the ThreadSanitizer build (`make emulator-tsan`): one real host thread per CUDA
// thread, blocks one after another.
//
// Why a second executor: fibers run one at a time, so ThreadSanitizer could never see two CUDA threads touch shared
// memory "at once". Here every CUDA thread of a block is a host thread and the only synchronisation between them is
// what CUDA defines: __syncthreads is a mutex/condition-variable barrier over the whole block (a happens-before
// edge from every thread to every thread), a warp collective synchronises only the lanes of its warp, and atomics
// are relaxed. A missing __syncthreads therefore leaves two unordered accesses, which ThreadSanitizer reports as a
// data race with both source lines. __shared__ variables are plain statics (section jgrok_emu_shared) because the
// threads of a block are different host threads; that is why blocks run one at a time (races between blocks are
// not checked). Misuse is reported as in the fiber build; a deadlock shows up as no progress for kStallSeconds.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "emu_block.h"
#include "emu_runtime.h"

namespace cuda_emu {
namespace {

constexpr int kStallSeconds = 60;

// Thrown in the other threads once one thread has failed: unwinds them out of the kernel without a report.
struct Aborted {};

class BlockThreads;
__thread BlockThreads* tls_block;
__thread int tls_tid;

// The state of the block being run, shared by its threads.
class BlockThreads {
public:
    BlockThreads(const Launch& launch, int threads);

    void run_thread(int tid);  // body of host thread tid: every block of the launch
    std::string error() {
        std::lock_guard<std::mutex> lock(error_mutex_);
        return error_;
    }

    int barrier(BarrierOp op, int pred, const Site& site);
    uint64_t collective(const WarpRendezvous::Call& call);

private:
    struct Warp {
        std::mutex mutex;
        std::condition_variable cv;
        WarpRendezvous rendezvous;
        uint64_t results[32];
        bool released[32];
    };

    void fail(const std::string& message);
    bool gate();  // all threads meet between blocks (not a CUDA barrier); false once the launch has failed
    void prepare_block(uint64_t b);
    void exit_kernel(int tid);
    template <class Predicate>
    void wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Predicate ready, const char* what);

    const Launch& launch_;
    const int threads_;
    uint3 block_{0, 0, 0};
    std::string prefix_;
    std::atomic<bool> failed_{false};
    std::mutex error_mutex_;
    std::string error_;

    std::mutex barrier_mutex_;
    std::condition_variable barrier_cv_;
    BarrierState barrier_;
    uint64_t barrier_generation_ = 0;
    int barrier_result_ = 0;

    std::vector<std::unique_ptr<Warp>> warps_;

    std::mutex gate_mutex_;
    std::condition_variable gate_cv_;
    int gate_count_ = 0;
    uint64_t gate_generation_ = 0;
    bool gate_proceed_ = true;

    std::vector<char> dynamic_;
};

BlockThreads::BlockThreads(const Launch& launch, int threads) : launch_(launch), threads_(threads) {
    for (int w = 0; w < (threads + 31) / 32; w++) {
        warps_.push_back(std::make_unique<Warp>());
    }
    dynamic_.resize(launch.dynamic_shared < 16 ? 16 : launch.dynamic_shared + 256);
}

void BlockThreads::fail(const std::string& message) {
    {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (error_.empty()) {
            error_ = prefix_ + message;
        }
    }
    failed_.store(true);
    { std::lock_guard<std::mutex> lock(barrier_mutex_); }
    barrier_cv_.notify_all();
    for (auto& w : warps_) {
        { std::lock_guard<std::mutex> lock(w->mutex); }
        w->cv.notify_all();
    }
}

template <class Predicate>
void BlockThreads::wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Predicate ready,
                        const char* what) {
    auto start = std::chrono::steady_clock::now();
    while (!ready()) {
        if (failed_.load(std::memory_order_relaxed)) {
            throw Aborted{};
        }
        cv.wait_for(lock, std::chrono::milliseconds(100));
        if (!ready() && std::chrono::steady_clock::now() - start > std::chrono::seconds(kStallSeconds)) {
            throw KernelFault("thread " + std::to_string(tls_tid) + " made no progress for " +
                              std::to_string(kStallSeconds) + " s waiting in " + what +
                              " (deadlock: threads wait at different barriers or collectives?)");
        }
    }
}

bool BlockThreads::gate() {
    std::unique_lock<std::mutex> lock(gate_mutex_);
    uint64_t generation = gate_generation_;
    if (++gate_count_ == threads_) {
        // The last thread decides for all, so that no thread leaves while others go on into a block.
        gate_count_ = 0;
        gate_proceed_ = !failed_.load();
        gate_generation_++;
        gate_cv_.notify_all();
        return gate_proceed_;
    }
    gate_cv_.wait(lock, [&] { return gate_generation_ != generation; });
    return gate_proceed_;
}

void BlockThreads::prepare_block(uint64_t b) {
    const dim3 g = launch_.grid;
    block_ = uint3{(unsigned)(b % g.x), (unsigned)(b / g.x % g.y), (unsigned)(b / ((uint64_t)g.x * g.y))};
    prefix_ = block_prefix(launch_, block_);
    ByteRange shared = launch_.module->static_shared_for_this_thread();
    if (shared.size > 0) {
        std::memset(shared.start, 0xFF, shared.size);
    }
    std::memset(dynamic_.data(), 0xFF, dynamic_.size());
    barrier_.reset(threads_);
    for (int w = 0; w < (int)warps_.size(); w++) {
        int lanes = threads_ - 32 * w < 32 ? threads_ - 32 * w : 32;
        warps_[w]->rendezvous.reset(lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u);
        std::memset(warps_[w]->released, 0, sizeof warps_[w]->released);
    }
}

void BlockThreads::exit_kernel(int tid) {
    {
        std::lock_guard<std::mutex> lock(barrier_mutex_);
        barrier_.exit(tid);
    }
    Warp& w = *warps_[tid / 32];
    std::lock_guard<std::mutex> lock(w.mutex);
    w.rendezvous.exit(tid % 32);
}

void BlockThreads::run_thread(int tid) {
    tls_block = this;
    tls_tid = tid;
    const dim3 bd = launch_.block;
    tls_thread_idx = uint3{tid % bd.x, (tid / bd.x) % bd.y, tid / (bd.x * bd.y)};
    tls_block_dim = launch_.block;
    tls_grid_dim = launch_.grid;
    char* dyn = dynamic_.data() + (256 - (uintptr_t)dynamic_.data() % 256) % 256;
    tls_dynamic_shared = dyn;
    const uint64_t blocks = (uint64_t)launch_.grid.x * launch_.grid.y * launch_.grid.z;
    for (uint64_t b = 0; b < blocks; b++) {
        if (tid == 0) {
            prepare_block(b);
        }
        if (!gate()) {
            return;
        }
        tls_block_idx = block_;
        try {
            launch_.kernel->trampoline(launch_.params);
            exit_kernel(tid);
        } catch (const KernelFault& e) {
            fail(e.what());
        } catch (const Aborted&) {
        } catch (const std::exception& e) {
            fail("thread " + std::to_string(tid) + " threw " + e.what());
        }
        gate();
    }
}

int BlockThreads::barrier(BarrierOp op, int pred, const Site& site) {
    std::unique_lock<std::mutex> lock(barrier_mutex_);
    if (barrier_.arrive(tls_tid, op, pred, site)) {
        barrier_result_ = barrier_.complete();
        barrier_generation_++;
        barrier_cv_.notify_all();
        return barrier_result_;
    }
    uint64_t generation = barrier_generation_;
    wait(lock, barrier_cv_, [&] { return barrier_generation_ != generation; }, barrier_op_name(op));
    return barrier_result_;
}

uint64_t BlockThreads::collective(const WarpRendezvous::Call& call) {
    const int lane = tls_tid % 32;
    Warp& w = *warps_[tls_tid / 32];
    std::unique_lock<std::mutex> lock(w.mutex);
    uint64_t results[32];
    unsigned released = w.rendezvous.arrive(lane, call, results);
    if (released != 0) {
        for (int l = 0; l < 32; l++) {
            if ((released >> l & 1) != 0 && l != lane) {
                w.results[l] = results[l];
                w.released[l] = true;
            }
        }
        w.cv.notify_all();
        return results[lane];
    }
    wait(lock, w.cv, [&] { return w.released[lane]; }, warp_op_name(call.op));
    w.released[lane] = false;
    return w.results[lane];
}

class ThreadsExecutor : public Executor {
public:
    std::string run(const Launch& launch) override {
        const int threads = (int)(launch.block.x * launch.block.y * launch.block.z);
        BlockThreads block(launch, threads);
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (int t = 0; t < threads; t++) {
            pool.emplace_back([&block, t] { block.run_thread(t); });
        }
        for (std::thread& t : pool) {
            t.join();
        }
        return block.error();
    }

    std::string describe() const override {
        return "one host thread per CUDA thread (ThreadSanitizer build)";
    }
};

}  // namespace

std::unique_ptr<Executor> Executor::create(int) {
    return std::make_unique<ThreadsExecutor>();
}

int block_barrier(BarrierOp op, int pred, const char* file, int line) {
    return tls_block->barrier(op, pred, Site{file, line});
}

uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int arg, int width, const char* file, int line) {
    return tls_block->collective(WarpRendezvous::Call{op, mask, value, arg, width, Site{file, line}});
}

void trap(const char* file, int line) {
    throw KernelFault("thread " + std::to_string(tls_tid) + " called __trap() at " + Site{file, line}.str());
}

}  // namespace cuda_emu
