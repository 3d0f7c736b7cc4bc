// emu_fibers.cpp: the default executor: blocks spread over a pool of host threads, each block's CUDA threads run as
// fibers on one host thread.
//
// Why fibers: a block's threads must run "concurrently" so that __syncthreads and shared memory mean what they
// mean on a GPU, but a real thread per CUDA thread costs a kernel transition per barrier. A fiber runs until it
// waits (barrier, warp collective) or returns, then switches back to the block scheduler (emu_context.h), which
// resumes every runnable fiber once per pass, in a freshly shuffled order each pass: a kernel that reads shared
// memory written by another thread without a barrier in between then reads stale or poisoned (0xFF) data on some
// pass instead of happening to work because thread 0 always runs first. Shared memory is poisoned before every
// block. When no fiber can run but some have not returned, the block is deadlocked and the report says who waits
// where. Blocks share nothing but global memory, so host threads take them from an atomic counter.
#include <sys/mman.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "emu_block.h"
#include "emu_context.h"
#include "emu_runtime.h"

namespace cuda_emu {
namespace {

constexpr size_t kStackBytes = 256 * 1024;  // per CUDA thread; reserved, pages are touched only when used
constexpr size_t kGuardBytes = 4096;        // inaccessible page below each stack: an overflow faults at once
constexpr size_t kDynamicSharedAlign = 256;

enum class FiberState : unsigned char { Ready, AtBarrier, AtWarp, Done, Failed };

struct Fiber {
    Context context;
    FiberState state = FiberState::Ready;
    int tid = 0;
    uint3 idx{0, 0, 0};
    int barrier_result = 0;
    uint64_t warp_result = 0;
    std::string error;
};

class BlockRunner;
__thread BlockRunner* tls_runner;

// Runs blocks on the calling host thread; one per worker.
class BlockRunner {
public:
    BlockRunner() = default;
    BlockRunner(const BlockRunner&) = delete;
    BlockRunner& operator=(const BlockRunner&) = delete;
    ~BlockRunner();

    // Runs block `block` of the launch; returns "" or a one-line error.
    std::string run(const Launch& launch, const uint3& block, uint64_t block_linear);

    // Called on a fiber by the intrinsics.
    int barrier(BarrierOp op, int pred, const Site& site);
    uint64_t collective(const WarpRendezvous::Call& call);
    int current_tid() const { return current_->tid; }

private:
    static void fiber_main(void* arg);
    void ensure_capacity(int threads);
    void prepare_shared_memory(const Launch& launch);
    void shuffle_order(uint64_t& state);
    std::string deadlock_report() const;
    void yield();

    Context scheduler_;
    std::vector<std::unique_ptr<Fiber>> fibers_;
    char* stacks_ = nullptr;
    size_t stacks_bytes_ = 0;
    int threads_ = 0;
    Fiber* current_ = nullptr;
    const Launch* launch_ = nullptr;
    BarrierState barrier_;
    std::vector<WarpRendezvous> warps_;
    std::vector<int> order_;
    char* dynamic_ = nullptr;
    size_t dynamic_bytes_ = 0;
    const KernelModule* module_seen_ = nullptr;
    ByteRange static_shared_;
};

BlockRunner::~BlockRunner() {
    if (stacks_ != nullptr) {
        munmap(stacks_, stacks_bytes_);
    }
    std::free(dynamic_);
}

void BlockRunner::ensure_capacity(int threads) {
    if ((int)fibers_.size() >= threads) {
        return;
    }
    if (stacks_ != nullptr) {
        munmap(stacks_, stacks_bytes_);
    }
    const size_t per_fiber = kStackBytes + kGuardBytes;
    stacks_bytes_ = per_fiber * (size_t)threads;
    void* p = mmap(nullptr, stacks_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        stacks_ = nullptr;
        throw std::runtime_error("cannot reserve fiber stacks for " + std::to_string(threads) + " threads");
    }
    stacks_ = static_cast<char*>(p);
    for (int t = 0; t < threads; t++) {
        mprotect(stacks_ + per_fiber * t, kGuardBytes, PROT_NONE);
    }
    while ((int)fibers_.size() < threads) {
        fibers_.push_back(std::make_unique<Fiber>());
    }
}

void BlockRunner::prepare_shared_memory(const Launch& launch) {
    if (module_seen_ != launch.module) {
        static_shared_ = launch.module->static_shared_for_this_thread();
        module_seen_ = launch.module;
    }
    if (static_shared_.size > 0) {
        std::memset(static_shared_.start, 0xFF, static_shared_.size);
    }
    size_t need = launch.dynamic_shared < 16 ? 16 : launch.dynamic_shared;
    if (need > dynamic_bytes_) {
        std::free(dynamic_);
        dynamic_ = static_cast<char*>(std::aligned_alloc(kDynamicSharedAlign, (need + 255) & ~(size_t)255));
        if (dynamic_ == nullptr) {
            throw std::runtime_error("cannot allocate dynamic shared memory");
        }
        dynamic_bytes_ = need;
    }
    std::memset(dynamic_, 0xFF, need);
    tls_dynamic_shared = dynamic_;
}

void BlockRunner::shuffle_order(uint64_t& state) {
    for (int i = threads_ - 1; i > 0; i--) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        int j = (int)(((state >> 32) * (uint64_t)(i + 1)) >> 32);  // uniform in [0, i] without a division
        std::swap(order_[i], order_[j]);
    }
}

void BlockRunner::fiber_main(void* arg) {
    Fiber* f = static_cast<Fiber*>(arg);
    BlockRunner* runner = tls_runner;
    try {
        runner->launch_->kernel->trampoline(runner->launch_->params);
        f->state = FiberState::Done;
    } catch (const KernelFault& e) {
        f->state = FiberState::Failed;
        f->error = e.what();
    } catch (const std::exception& e) {
        f->state = FiberState::Failed;
        f->error = std::string("thread ") + std::to_string(f->tid) + " threw " + e.what();
    }
    Context::swap(f->context, runner->scheduler_);
    std::abort();  // a finished fiber is never resumed; the next block prepares a fresh frame
}

void BlockRunner::yield() {
    Context::swap(current_->context, scheduler_);
}

std::string BlockRunner::run(const Launch& launch, const uint3& block, uint64_t block_linear) {
    launch_ = &launch;
    const dim3 bd = launch.block;
    threads_ = (int)(bd.x * bd.y * bd.z);
    ensure_capacity(threads_);
    tls_block_idx = block;
    tls_block_dim = launch.block;
    tls_grid_dim = launch.grid;
    prepare_shared_memory(launch);
    barrier_.reset(threads_);
    const int warps = (threads_ + 31) / 32;
    warps_.resize(warps);
    for (int w = 0; w < warps; w++) {
        int lanes = threads_ - 32 * w < 32 ? threads_ - 32 * w : 32;
        warps_[w].reset(lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u);
    }
    order_.resize(threads_);
    const size_t per_fiber = kStackBytes + kGuardBytes;
    for (int t = 0; t < threads_; t++) {
        Fiber& f = *fibers_[t];
        f.tid = t;
        f.idx = uint3{t % bd.x, (t / bd.x) % bd.y, t / (bd.x * bd.y)};
        f.state = FiberState::Ready;
        f.error.clear();
        f.context.prepare(stacks_ + per_fiber * t + kGuardBytes, kStackBytes, &BlockRunner::fiber_main, &f);
        order_[t] = t;
    }
    uint64_t rng = 0x9E3779B97F4A7C15ull ^ (block_linear * 0xBF58476D1CE4E5B9ull) ^ 0x94D049BB133111EBull;
    const std::string prefix = block_prefix(launch, block);
    int live = threads_;
    while (live > 0) {
        shuffle_order(rng);
        bool ran = false;
        for (int t : order_) {
            Fiber& f = *fibers_[t];
            if (f.state != FiberState::Ready) {
                continue;
            }
            ran = true;
            current_ = &f;
            tls_thread_idx = f.idx;
            Context::swap(scheduler_, f.context);
            if (f.state == FiberState::Failed) {
                return prefix + f.error;
            }
            if (f.state == FiberState::Done) {
                live--;
                try {
                    barrier_.exit(t);
                    warps_[t / 32].exit(t % 32);
                } catch (const KernelFault& e) {
                    return prefix + e.what();
                }
            }
        }
        if (!ran && live > 0) {
            return prefix + deadlock_report();
        }
    }
    return "";
}

int BlockRunner::barrier(BarrierOp op, int pred, const Site& site) {
    Fiber& self = *current_;
    if (barrier_.arrive(self.tid, op, pred, site)) {
        int result = barrier_.complete();
        for (int t = 0; t < threads_; t++) {
            Fiber& f = *fibers_[t];
            if (f.state == FiberState::AtBarrier) {
                f.state = FiberState::Ready;
                f.barrier_result = result;
            }
        }
        return result;
    }
    self.state = FiberState::AtBarrier;
    yield();
    return self.barrier_result;
}

uint64_t BlockRunner::collective(const WarpRendezvous::Call& call) {
    Fiber& self = *current_;
    const int warp = self.tid / 32, lane = self.tid % 32;
    uint64_t results[32];
    unsigned released = warps_[warp].arrive(lane, call, results);
    if (released != 0) {
        for (int l = 0; l < 32; l++) {
            if ((released >> l & 1) != 0 && l != lane) {
                Fiber& f = *fibers_[warp * 32 + l];
                f.warp_result = results[l];
                f.state = FiberState::Ready;
            }
        }
        return results[lane];
    }
    self.state = FiberState::AtWarp;
    yield();
    return self.warp_result;
}

std::string BlockRunner::deadlock_report() const {
    std::vector<std::string> labels(threads_);
    for (int t = 0; t < threads_; t++) {
        switch (fibers_[t]->state) {
            case FiberState::AtBarrier: labels[t] = "wait at __syncthreads " + barrier_.site_of(t).str(); break;
            case FiberState::AtWarp: labels[t] = warps_[t / 32].waiting_label(t % 32); break;
            case FiberState::Done: labels[t] = "have returned"; break;
            default: break;
        }
    }
    return "deadlock: " + describe_threads(labels) +
           " (a warp collective whose lanes wait at different points, or a barrier inside divergent code)";
}

class FiberExecutor : public Executor {
public:
    explicit FiberExecutor(int workers) {
        for (int i = 0; i < workers; i++) {
            threads_.emplace_back([this] { worker_main(); });
        }
    }

    ~FiberExecutor() override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        work_cv_.notify_all();
        for (std::thread& t : threads_) {
            t.join();
        }
    }

    std::string run(const Launch& launch) override {
        std::unique_lock<std::mutex> lock(mutex_);
        launch_ = &launch;
        block_count_ = (uint64_t)launch.grid.x * launch.grid.y * launch.grid.z;
        next_block_.store(0);
        failed_.store(false);
        error_.clear();
        busy_ = (int)threads_.size();
        generation_++;
        work_cv_.notify_all();
        done_cv_.wait(lock, [this] { return busy_ == 0; });
        launch_ = nullptr;
        return error_;
    }

    std::string describe() const override {
        return "fibers on " + std::to_string(threads_.size()) + " host threads";
    }

private:
    void worker_main() {
        BlockRunner runner;
        tls_runner = &runner;
        uint64_t seen = 0;
        for (;;) {
            const Launch* launch;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                work_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
                if (stopping_) {
                    return;
                }
                seen = generation_;
                launch = launch_;
            }
            const dim3 g = launch->grid;
            for (;;) {
                uint64_t b = next_block_.fetch_add(1);
                if (b >= block_count_ || failed_.load()) {
                    break;
                }
                uint3 idx{(unsigned)(b % g.x), (unsigned)(b / g.x % g.y), (unsigned)(b / ((uint64_t)g.x * g.y))};
                std::string error;
                try {
                    error = runner.run(*launch, idx, b);
                } catch (const std::exception& e) {
                    error = block_prefix(*launch, idx) + e.what();
                }
                if (!error.empty()) {
                    std::lock_guard<std::mutex> lock(mutex_);
                    if (!failed_.load()) {
                        error_ = error;
                        failed_.store(true);
                    }
                }
            }
            std::lock_guard<std::mutex> lock(mutex_);
            if (--busy_ == 0) {
                done_cv_.notify_all();
            }
        }
    }

    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable work_cv_;
    std::condition_variable done_cv_;
    const Launch* launch_ = nullptr;
    uint64_t generation_ = 0;
    int busy_ = 0;
    bool stopping_ = false;
    std::atomic<uint64_t> next_block_{0};
    uint64_t block_count_ = 0;
    std::atomic<bool> failed_{false};
    std::string error_;
};

}  // namespace

std::unique_ptr<Executor> Executor::create(int workers) {
    if (workers <= 0) {
        workers = (int)std::thread::hardware_concurrency();
    }
    return std::make_unique<FiberExecutor>(workers < 1 ? 1 : workers);
}

int block_barrier(BarrierOp op, int pred, const char* file, int line) {
    return tls_runner->barrier(op, pred, Site{file, line});
}

uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int arg, int width, const char* file, int line) {
    return tls_runner->collective(WarpRendezvous::Call{op, mask, value, arg, width, Site{file, line}});
}

void trap(const char* file, int line) {
    throw KernelFault("thread " + std::to_string(tls_runner->current_tid()) + " called __trap() at " +
                      Site{file, line}.str());
}

}  // namespace cuda_emu
