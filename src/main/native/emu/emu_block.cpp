// emu_block.cpp: barrier and warp-collective semantics of one block (see emu_block.h), shared by both runtimes.
#include "emu_block.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

namespace cuda_emu {

bool Site::operator==(const Site& other) const {
    if (line != other.line) {
        return false;
    }
    if (file == other.file) {
        return true;
    }
    return file != nullptr && other.file != nullptr && std::strcmp(file, other.file) == 0;
}

std::string Site::str() const {
    const char* name = file == nullptr ? "?" : file;
    const char* slash = std::strrchr(name, '/');
    return std::string(slash == nullptr ? name : slash + 1) + ":" + std::to_string(line);
}

const char* warp_op_name(WarpOp op) {
    switch (op) {
        case WarpOp::SyncWarp: return "__syncwarp";
        case WarpOp::ShflIdx: return "__shfl_sync";
        case WarpOp::ShflUp: return "__shfl_up_sync";
        case WarpOp::ShflDown: return "__shfl_down_sync";
        case WarpOp::ShflXor: return "__shfl_xor_sync";
        case WarpOp::Ballot: return "__ballot_sync";
        case WarpOp::All: return "__all_sync";
        case WarpOp::Any: return "__any_sync";
        case WarpOp::ReduceAddU: return "__reduce_add_sync";
        case WarpOp::ReduceMinU:
        case WarpOp::ReduceMinI: return "__reduce_min_sync";
        case WarpOp::ReduceMaxU:
        case WarpOp::ReduceMaxI: return "__reduce_max_sync";
        case WarpOp::ReduceAndU: return "__reduce_and_sync";
        case WarpOp::ReduceOrU: return "__reduce_or_sync";
        case WarpOp::ReduceXorU: return "__reduce_xor_sync";
    }
    return "?";
}

const char* barrier_op_name(BarrierOp op) {
    switch (op) {
        case BarrierOp::Sync: return "__syncthreads";
        case BarrierOp::Count: return "__syncthreads_count";
        case BarrierOp::And: return "__syncthreads_and";
        case BarrierOp::Or: return "__syncthreads_or";
    }
    return "?";
}

std::string describe_threads(const std::vector<std::string>& labels, const char* noun) {
    std::map<std::string, std::vector<int>> groups;
    for (int t = 0; t < (int)labels.size(); t++) {
        if (!labels[t].empty()) {
            groups[labels[t]].push_back(t);
        }
    }
    // Order groups by their first thread, so messages read in thread order.
    std::vector<std::pair<int, std::string>> order;
    for (const auto& g : groups) {
        order.emplace_back(g.second.front(), g.first);
    }
    std::sort(order.begin(), order.end());
    std::string out;
    for (const auto& o : order) {
        const std::vector<int>& ids = groups[o.second];
        std::string ranges;
        for (size_t i = 0; i < ids.size();) {
            size_t j = i;
            while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) {
                j++;
            }
            if (!ranges.empty()) {
                ranges += ",";
            }
            ranges += std::to_string(ids[i]);
            if (j > i) {
                ranges += "-" + std::to_string(ids[j]);
            }
            i = j + 1;
        }
        if (!out.empty()) {
            out += "; ";
        }
        out += std::string(ids.size() == 1 && std::strcmp(noun, "threads") == 0 ? "thread" : noun) + " " + ranges +
               " " + o.second;
    }
    return out;
}

// ---- BarrierState

void BarrierState::reset(int threads) {
    threads_ = threads;
    arrived_ = 0;
    exited_count_ = 0;
    here_.assign(threads, 0);
    exited_.assign(threads, 0);
    sites_.assign(threads, Site{});
    preds_.assign(threads, 0);
    ops_.assign(threads, BarrierOp::Sync);
}

std::string BarrierState::returned_threads() const {
    std::vector<std::string> labels(threads_);
    for (int t = 0; t < threads_; t++) {
        if (exited_[t]) {
            labels[t] = "had already returned";
        }
    }
    return describe_threads(labels);
}

bool BarrierState::arrive(int tid, BarrierOp op, int pred, const Site& site) {
    here_[tid] = 1;
    sites_[tid] = site;
    preds_[tid] = pred;
    ops_[tid] = op;
    arrived_++;
    if (exited_count_ > 0) {
        throw KernelFault(std::string(barrier_op_name(op)) + " at " + site.str() + " can never complete: " +
                          returned_threads() + " (a barrier after an early return, or in divergent code)");
    }
    return arrived_ == threads_;
}

int BarrierState::complete() {
    bool divergent = false;
    for (int t = 1; t < threads_ && !divergent; t++) {
        divergent = !(sites_[t] == sites_[0]) || ops_[t] != ops_[0];
    }
    if (divergent) {
        std::vector<std::string> labels(threads_);
        for (int t = 0; t < threads_; t++) {
            labels[t] = std::string("wait at ") + barrier_op_name(ops_[t]) + " " + sites_[t].str();
        }
        throw KernelFault("divergent barrier: " + describe_threads(labels) +
                          " (every thread of a block must reach the same __syncthreads)");
    }
    int count = 0;
    for (int t = 0; t < threads_; t++) {
        count += preds_[t] != 0;
    }
    int result = 0;
    switch (ops_[0]) {
        case BarrierOp::Sync: result = 0; break;
        case BarrierOp::Count: result = count; break;
        case BarrierOp::And: result = count == threads_; break;
        case BarrierOp::Or: result = count > 0; break;
    }
    arrived_ = 0;
    std::fill(here_.begin(), here_.end(), 0);
    return result;
}

void BarrierState::exit(int tid) {
    exited_[tid] = 1;
    exited_count_++;
    if (arrived_ > 0) {
        std::vector<std::string> labels(threads_);
        for (int t = 0; t < threads_; t++) {
            if (here_[t]) {
                labels[t] = std::string("wait at ") + barrier_op_name(ops_[t]) + " " + sites_[t].str();
            } else if (exited_[t]) {
                labels[t] = "had returned";
            }
        }
        throw KernelFault("barrier can never complete: " + describe_threads(labels) +
                          " (a barrier after an early return, or in divergent code)");
    }
}

// ---- WarpRendezvous

void WarpRendezvous::reset(unsigned existing) {
    existing_ = existing;
    exited_ = 0;
    open_groups_ = 0;
    for (Group& g : groups_) {
        g.open = false;
    }
}

static std::string hex_mask(unsigned mask) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", mask);
    return buf;
}

unsigned WarpRendezvous::arrive(int lane, const Call& call, uint64_t results[32]) {
    const unsigned bit = 1u << lane;
    auto what = [&call] {
        return std::string(warp_op_name(call.op)) + "(mask " + hex_mask(call.mask) + ") at " + call.site.str();
    };
    if ((call.mask & bit) == 0) {
        throw KernelFault("lane " + std::to_string(lane) + " calls " + what() + " with a mask that leaves it out");
    }
    if ((call.mask & ~existing_) != 0) {
        throw KernelFault("lane " + std::to_string(lane) + " calls " + what() + ", naming lanes " +
                          hex_mask(call.mask & ~existing_) + " that this block does not have (blockDim not a "
                          "multiple of 32?)");
    }
    if ((call.mask & exited_) != 0) {
        throw KernelFault("lane " + std::to_string(lane) + " calls " + what() + ", but lanes " +
                          hex_mask(call.mask & exited_) + " of its mask have returned");
    }
    Group* group = nullptr;
    Group* free_group = nullptr;
    for (Group& g : groups_) {
        if (g.open && g.mask == call.mask && (g.arrived & bit) == 0) {
            group = &g;
            break;
        }
        if (!g.open && free_group == nullptr) {
            free_group = &g;
        }
    }
    if (group == nullptr) {
        // At most 32 groups can be open: each open group has an arrived lane that waits in it.
        group = free_group;
        group->open = true;
        open_groups_++;
        group->mask = call.mask;
        group->arrived = 0;
    }
    group->arrived |= bit;
    group->calls[lane] = call;
    if (group->arrived != group->mask) {
        return 0;
    }
    unsigned mask = group->mask;
    group->open = false;
    open_groups_--;
    finish(*group, results);
    return mask;
}

void WarpRendezvous::finish(Group& g, uint64_t results[32]) {
    const unsigned mask = g.mask;
    const int first = __builtin_ctz(mask);
    const Call& lead = g.calls[first];
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1) == 0) {
            continue;
        }
        const Call& c = g.calls[l];
        if (c.op != lead.op) {
            throw KernelFault("lanes of one warp disagree: lane " + std::to_string(first) + " calls " +
                              warp_op_name(lead.op) + " at " + lead.site.str() + ", lane " + std::to_string(l) +
                              " calls " + warp_op_name(c.op) + " at " + c.site.str() + " (mask " + hex_mask(mask) +
                              ")");
        }
    }
    uint64_t ballot = 0;
    uint32_t add = 0, and_bits = ~0u, or_bits = 0, xor_bits = 0;
    uint32_t min_u = ~0u, max_u = 0;
    int32_t min_i = INT32_MAX, max_i = INT32_MIN;
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1) == 0) {
            continue;
        }
        uint32_t v = (uint32_t)g.calls[l].value;
        ballot |= (uint64_t)(g.calls[l].value != 0) << l;
        add += v;
        and_bits &= v;
        or_bits |= v;
        xor_bits ^= v;
        min_u = std::min(min_u, v);
        max_u = std::max(max_u, v);
        min_i = std::min(min_i, (int32_t)v);
        max_i = std::max(max_i, (int32_t)v);
    }
    for (int l = 0; l < 32; l++) {
        if ((mask >> l & 1) == 0) {
            continue;
        }
        const Call& c = g.calls[l];
        switch (c.op) {
            case WarpOp::SyncWarp: results[l] = 0; continue;
            case WarpOp::Ballot: results[l] = ballot; continue;
            case WarpOp::All: results[l] = ballot == mask; continue;
            case WarpOp::Any: results[l] = ballot != 0; continue;
            case WarpOp::ReduceAddU: results[l] = add; continue;
            case WarpOp::ReduceMinU: results[l] = min_u; continue;
            case WarpOp::ReduceMaxU: results[l] = max_u; continue;
            case WarpOp::ReduceMinI: results[l] = (uint32_t)min_i; continue;
            case WarpOp::ReduceMaxI: results[l] = (uint32_t)max_i; continue;
            case WarpOp::ReduceAndU: results[l] = and_bits; continue;
            case WarpOp::ReduceOrU: results[l] = or_bits; continue;
            case WarpOp::ReduceXorU: results[l] = xor_bits; continue;
            default: break;
        }
        // Shuffles: the source lane within this lane's segment of `width` lanes.
        const int w = c.width;
        if (w < 1 || w > 32 || (w & (w - 1)) != 0) {
            throw KernelFault(std::string(warp_op_name(c.op)) + " at " + c.site.str() + ": width " +
                              std::to_string(w) + " is not a power of two in 1..32");
        }
        const int segment = l & ~(w - 1);
        int src = l;
        switch (c.op) {
            case WarpOp::ShflIdx: src = segment + (c.arg & (w - 1)); break;
            case WarpOp::ShflUp: src = l - c.arg >= segment ? l - c.arg : l; break;
            case WarpOp::ShflDown: src = l + c.arg < segment + w ? l + c.arg : l; break;
            case WarpOp::ShflXor: src = (l ^ c.arg) < segment + w ? (l ^ c.arg) : l; break;
            default: break;
        }
        if (src < 0 || src > 31 || (mask >> src & 1) == 0) {
            throw KernelFault("lane " + std::to_string(l) + " " + warp_op_name(c.op) + " at " + c.site.str() +
                              " reads lane " + std::to_string(src) + ", which is not in mask " + hex_mask(mask));
        }
        results[l] = g.calls[src].value;
    }
}

void WarpRendezvous::exit(int lane) {
    const unsigned bit = 1u << lane;
    exited_ |= bit;
    if (open_groups_ == 0) {
        return;
    }
    for (const Group& g : groups_) {
        if (g.open && (g.mask & bit) != 0) {
            const Call& c = g.calls[__builtin_ctz(g.arrived)];
            throw KernelFault("lane " + std::to_string(lane) + " returned while lanes " + hex_mask(g.arrived) +
                              " wait for it in " + warp_op_name(c.op) + "(mask " + hex_mask(g.mask) + ") at " +
                              c.site.str());
        }
    }
}

std::string WarpRendezvous::waiting_label(int lane) const {
    const unsigned bit = 1u << lane;
    for (const Group& g : groups_) {
        if (g.open && (g.arrived & bit) != 0) {
            const Call& c = g.calls[lane];
            return std::string("wait in ") + warp_op_name(c.op) + "(mask " + hex_mask(g.mask) + ") at " +
                   c.site.str();
        }
    }
    return "";
}

}  // namespace cuda_emu
