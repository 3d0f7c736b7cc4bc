package io.jgrok.device;

import io.jgrok.Tolerances;
import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * What every {@link Device} must do, proven with the self-test kernels of src/main/cuda/selftest.cu on fresh random
 * inputs: memory and copies, memset poisoning, argument packing of every type, index built-ins, block reductions
 * through static and dynamic shared memory, warp shuffles/votes/reductions, atomics, barrier votes, math, graph
 * capture and replay, events, and the checks in front of native code. Outputs are poisoned before each launch so
 * that an element a kernel fails to write cannot pass. Run by DeviceContractTest (the emulated device always, a GPU
 * when there is one) and by {@code jgrok gpu-check}. The misuse kernels of selftest_faults.cu are never launched
 * here: on a GPU they would poison the context.
 */
public final class DeviceContractChecks {
    private static final int POISON = 0xFF;
    /** Every check draws its inputs from a generator with this seed. */
    private static final long SEED = 20230113;

    private final Device device;
    private final Verdict v;
    private final Random random = new Random(SEED);

    private DeviceContractChecks(Device device, Verdict v) {
        this.device = device;
        this.v = v;
    }

    /** Every check of the contract, in a stable order. */
    public static List<DeviceCheck> all() {
        return List.of(
                check("copies round-trip every type with offsets", DeviceContractChecks::copies),
                check("memset writes any byte value", DeviceContractChecks::memset),
                check("arguments of every type arrive intact", DeviceContractChecks::arguments),
                check("launches are checked against the kernel signature", DeviceContractChecks::signatures),
                check("pointers are checked against live allocations", DeviceContractChecks::pointers),
                check("launches are checked against the kernel's launch bounds", DeviceContractChecks::launchBounds),
                check("index built-ins cover a 3-D launch", DeviceContractChecks::indices),
                check("block reduction through static shared memory", DeviceContractChecks::staticShared),
                check("block reduction through dynamic shared memory", DeviceContractChecks::dynamicShared),
                check("warp shuffles, votes and reductions", DeviceContractChecks::warpOps),
                check("atomics from every thread of the grid", DeviceContractChecks::atomics),
                check("barrier votes count and combine predicates", DeviceContractChecks::barrierVotes),
                check("math functions against float64 references", DeviceContractChecks::math),
                check("graph capture records and replays with the captured arguments", DeviceContractChecks::graphs),
                check("events measure the work between them", DeviceContractChecks::events));
    }

    private interface Body {
        void run(DeviceContractChecks c);
    }

    private static DeviceCheck check(String name, Body body) {
        return DeviceCheck.of(name, (target, verdict) -> body.run(new DeviceContractChecks(target.device(), verdict)));
    }

    private void copies() {
        float[] f = randomFloats(1000);
        int[] i = random.ints(777).toArray();
        double[] d = random.doubles(555).map(x -> x * 1e6 - 3e5).toArray();

        DevicePtr fp = device.alloc(4L * f.length);
        DevicePtr ip = device.alloc(4L * i.length);
        DevicePtr dp = device.alloc(8L * d.length);
        device.copyToDevice(fp, f, 0, f.length);
        device.copyToDevice(ip, i, 0, i.length);
        device.copyToDevice(dp, d, 0, d.length);
        float[] f2 = new float[f.length];
        int[] i2 = new int[i.length];
        double[] d2 = new double[d.length];
        device.copyToHost(f2, 0, fp, f.length);
        device.copyToHost(i2, 0, ip, i.length);
        device.copyToHost(d2, 0, dp, d.length);
        v.same("float round trip", f, f2);
        v.same("int round trip", i, i2);
        v.isTrue("double round trip", Arrays.equals(d, d2));

        // Offsets on both sides: host elements 10..109 to device elements 200..299, and back into 5..104.
        device.copyToDevice(fp.floatAt(200), f, 10, 100);
        float[] back = new float[120];
        device.copyToHost(back, 5, fp.floatAt(200), 100);
        for (int k = 0; k < 100; k++) {
            v.equal("offset copy element " + k, f[10 + k], back[5 + k]);
        }
        v.equal("element before the copied range", 0f, back[4]);

        // Device to device.
        DevicePtr fq = device.alloc(4L * f.length);
        device.copy(fq, fp, 4L * f.length);
        float[] f3 = new float[f.length];
        device.copyToHost(f3, 0, fq, f.length);
        device.copyToHost(f2, 0, fp, f.length);
        v.same("device-to-device copy", f2, f3);
    }

    private void memset() {
        DevicePtr p = device.alloc(4096);
        int[] words = new int[1024];
        for (int value : new int[] {0, 0xFF, 0x7F, 0xA5, -1, 1}) {
            device.memset(p, value, 4096);
            device.copyToHost(words, 0, p, 1024);
            int b = value & 0xFF;
            int expected = b | b << 8 | b << 16 | b << 24;
            for (int w : words) {
                v.equal("memset " + value, expected, w);
            }
        }
        // A partial memset leaves the rest alone.
        device.memset(p, 0, 4096);
        device.memset(p.plus(100), POISON, 8);
        byte[] expectedBytes = new byte[4096];
        Arrays.fill(expectedBytes, 100, 108, (byte) 0xFF);
        device.copyToHost(words, 0, p, 1024);
        for (int k = 0; k < 1024; k++) {
            int e = (expectedBytes[4 * k] & 0xFF) | (expectedBytes[4 * k + 1] & 0xFF) << 8
                    | (expectedBytes[4 * k + 2] & 0xFF) << 16 | (expectedBytes[4 * k + 3] & 0xFF) << 24;
            v.equal("word " + k, e, words[k]);
        }
        // 0xFF as float is NaN: the poison every kernel check uses.
        float[] floats = new float[4];
        device.memset(p, POISON, 16);
        device.copyToHost(floats, 0, p, 4);
        v.isTrue("0xFF bytes read as NaN", Float.isNaN(floats[0]));
    }

    private void arguments() {
        DevicePtr i32 = poisoned(4 * 3);
        DevicePtr i64 = poisoned(8 * 2);
        DevicePtr f32 = poisoned(4 * 2);
        DevicePtr f64 = poisoned(8);
        DevicePtr target = device.alloc(64);
        int a = -123456789;
        double b = -2.5e-300;
        int c = 0x7ffffffe;
        long d = (1L << 40) + 3;
        float e = -0.1f;
        int f = 0xDEADBEEF;
        float g = Float.MIN_NORMAL;
        device.launch("selftest_echo_args", Dim3.of(1), Dim3.of(32), 0, KernelArgs.of().ptr(i32).ptr(i64).ptr(f32)
                .ptr(f64).i32(a).f64(b).i32(c).i64(d).f32(e).ptr(target).i32(f).f32(g));
        int[] ints = new int[3];
        long[] longs = new long[2];
        float[] floats = new float[2];
        double[] doubles = new double[1];
        device.copyToHost(ints, 0, i32, 3);
        copyLongs(longs, i64);
        device.copyToHost(floats, 0, f32, 2);
        device.copyToHost(doubles, 0, f64, 1);
        v.equal("i32 argument", a, ints[0]);
        v.equal("second i32 argument", c, ints[1]);
        v.equal("i32 argument after a pointer", f, ints[2]);
        v.equal("i64 argument", d, longs[0]);
        v.equal("pointer argument", target.address(), longs[1]);
        v.equal("f32 argument", e, floats[0]);
        v.equal("f32 argument after an i32", g, floats[1]);
        v.equal("f64 argument", b, doubles[0]);
    }

    private void signatures() {
        DevicePtr out = device.alloc(64);
        DeviceException wrongType = v.fails("an i32 for an f32", DeviceException.class, () -> device.launch(
                "selftest_fill_f32", Dim3.of(1), Dim3.of(32), 0, KernelArgs.of().ptr(out).i32(1).i32(16)));
        v.equal("message of a wrong argument type",
                "kernel selftest_fill_f32(ptr, f32, i32) was launched with (ptr, i32, i32)", wrongType.getMessage());
        v.fails("too few arguments", DeviceException.class, () -> device.launch("selftest_fill_f32", Dim3.of(1),
                Dim3.of(32), 0, KernelArgs.of().ptr(out).f32(1)));
        v.fails("an unknown kernel", DeviceException.class, () -> device.launch("no_such_kernel", Dim3.of(1),
                Dim3.of(32), 0, KernelArgs.of()));
        v.fails("a block of 2048 threads", DeviceException.class, () -> device.launch("selftest_fill_f32",
                Dim3.of(1), Dim3.of(2048), 0, KernelArgs.of().ptr(out).f32(1).i32(16)));
        v.isTrue("hasKernel of a registered kernel", device.hasKernel("selftest_fill_f32"));
        v.isTrue("hasKernel of an unknown name", !device.hasKernel("no_such_kernel"));
        v.isTrue("kernelNames lists the self-test kernels", device.kernelNames().containsAll(List.of(
                "selftest_echo_args", "selftest_warp_ops", "fault_missing_barrier")));
        v.equal("signature", "selftest_fill_f32(ptr, f32, i32)", device.signature("selftest_fill_f32").toString());
    }

    private void pointers() {
        DevicePtr p = device.alloc(400);
        float[] host = new float[101];
        v.fails("copy past the allocation", DeviceException.class, () -> device.copyToDevice(p, host, 0, 101));
        v.fails("copy from past the allocation", DeviceException.class, () -> device.copyToHost(host, 0,
                p.floatAt(50), 51));
        v.fails("copy past the host array", IndexOutOfBoundsException.class, () -> device.copyToHost(host, 50, p,
                60));
        DevicePtr q = device.alloc(400);
        device.free(q);
        v.fails("double free", DeviceException.class, () -> device.free(q));
        v.fails("memset of freed memory", DeviceException.class, () -> device.memset(q, 0, 4));
        v.fails("launch with freed memory", DeviceException.class, () -> device.launch("selftest_fill_f32",
                Dim3.of(1), Dim3.of(32), 0, KernelArgs.of().ptr(q).f32(1).i32(16)));
        // A DevicePtr that claims more bytes than its allocation has is caught by the allocation table.
        v.fails("a pointer claiming more than its allocation", DeviceException.class, () -> device.memset(
                new DevicePtr(p.address(), 800), 0, 800));
    }

    private void indices() {
        Dim3 grid = new Dim3(3, 2, 2);
        Dim3 block = new Dim3(4, 3, 2);
        int threads = (int) (grid.count() * block.count());
        DevicePtr out = poisoned(4L * 12 * threads);
        device.launch("selftest_indices", grid, block, 0, KernelArgs.of().ptr(out));
        int[] got = new int[12 * threads];
        device.copyToHost(got, 0, out, got.length);
        int k = 0;
        for (int bz = 0; bz < 2; bz++) {
            for (int by = 0; by < 2; by++) {
                for (int bx = 0; bx < 3; bx++) {
                    for (int tz = 0; tz < 2; tz++) {
                        for (int ty = 0; ty < 3; ty++) {
                            for (int tx = 0; tx < 4; tx++) {
                                int[] expected = {tx, ty, tz, bx, by, bz, 4, 3, 2, 3, 2, 2};
                                v.same("built-ins of thread " + k, expected, Arrays.copyOfRange(got, 12 * k,
                                        12 * k + 12));
                                k++;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The manifest carries each kernel's bounds, and a block outside them is refused before it reaches the device:
     * splitk_reduce is __launch_bounds__(256), selftest_block_sum_f32 needs exactly 256 threads (its shared tree).
     */
    private void launchBounds() {
        v.equal("bounds of splitk_reduce", new LaunchBounds(256, 0, false), device.launchBounds("splitk_reduce"));
        v.equal("bounds of tables_attention", new LaunchBounds(256, 4, false), device.launchBounds("tables_attention"));
        v.equal("bounds of selftest_block_sum_f32", new LaunchBounds(256, 0, true),
                device.launchBounds("selftest_block_sum_f32"));
        v.equal("bounds of a kernel without", LaunchBounds.NONE, device.launchBounds("selftest_fill_f32"));
        DevicePtr out = poisoned(4L * 2 * 256);
        DevicePtr part = poisoned(4L * 2 * 256);
        DeviceException tooMany = v.fails("512 threads for a 256-bound kernel", DeviceException.class,
                () -> device.launch("splitk_reduce", Dim3.of(1), Dim3.of(512), 0, KernelArgs.of().ptr(out).i32(256)
                        .i64(0).ptr(part).i64(0).i32(1).i32(256).i32(2).f32(0f)));
        v.equal("message for 512 threads", "kernel splitk_reduce: block (512, 1, 1) has 512 threads, more than its "
                + "__launch_bounds__ allow (256); nvcc compiled it for at most 256 (registers, shared arrays and "
                + "thread mappings are sized for that)", tooMany.getMessage());
        v.fails("a 2-D block of 32 x 16 for a 256-bound kernel", DeviceException.class,
                () -> device.launch("splitk_reduce", Dim3.of(1), new Dim3(32, 16, 1), 0, KernelArgs.of().ptr(out)
                        .i32(256).i64(0).ptr(part).i64(0).i32(1).i32(256).i32(2).f32(0f)));
        DeviceException tooFew = v.fails("128 threads for an exact-256 kernel", DeviceException.class,
                () -> device.launch("selftest_block_sum_f32", Dim3.of(1), Dim3.of(128), 0,
                        KernelArgs.of().ptr(part).ptr(out).i32(128)));
        v.isTrue("message for 128 threads names the exact count: " + tooFew.getMessage(),
                tooFew.getMessage().contains("needs exactly 256"));
        v.fails("512 threads for an exact-256 kernel", DeviceException.class,
                () -> device.launch("selftest_block_sum_f32", Dim3.of(1), Dim3.of(512), 0,
                        KernelArgs.of().ptr(part).ptr(out).i32(512)));
        // Within the bounds the same kernels run (and nothing above was written).
        float[] ones = new float[512];
        Arrays.fill(ones, 1f);
        device.copyToDevice(part, ones, 0, 512);
        device.launch("splitk_reduce", Dim3.of(1), Dim3.of(128), 0, KernelArgs.of().ptr(out).i32(256).i64(0)
                .ptr(part).i64(0).i32(1).i32(256).i32(2).f32(0f));
        float[] sums = new float[256];
        device.copyToHost(sums, 0, out, 256);
        float[] twos = new float[256];
        Arrays.fill(twos, 2f);
        v.same("splitk_reduce with 128 threads sums the two splits", twos, sums);
    }

    private void staticShared() {
        int n = 256 * 37 + 11;
        int blocks = (n + 255) / 256;
        float[] x = randomFloats(n);
        DevicePtr xp = upload(x);
        DevicePtr partial = poisoned(4L * blocks);
        device.launch("selftest_block_sum_f32", Dim3.of(blocks), Dim3.of(256), 0,
                KernelArgs.of().ptr(xp).ptr(partial).i32(n));
        float[] got = new float[blocks];
        device.copyToHost(got, 0, partial, blocks);
        double[] expected = new double[blocks];
        for (int i = 0; i < n; i++) {
            expected[i / 256] += x[i];
        }
        // Sums of 256 terms of size ~1: compare relative to the partial sums' scale.
        v.within("block sums (relative to 1)", Tolerances.relativeError(got, expected, 1.0), Tolerances.FLOAT32_REL);
    }

    private void dynamicShared() {
        int block = 128;
        int n = block * 20 - 5;
        int blocks = (n + block - 1) / block;
        double[] x = random.doubles(n).map(t -> 2 * t - 1).toArray();
        DevicePtr xp = device.alloc(8L * n);
        device.copyToDevice(xp, x, 0, n);
        DevicePtr partial = poisoned(8L * blocks);
        device.launch("selftest_block_sum_dynamic_f64", Dim3.of(blocks), Dim3.of(block), 8 * block,
                KernelArgs.of().ptr(xp).ptr(partial).i32(n));
        double[] got = new double[blocks];
        device.copyToHost(got, 0, partial, blocks);
        for (int b = 0; b < blocks; b++) {
            double expected = 0;
            for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) {
                expected += x[i];
            }
            v.close("block " + b, expected, got[b], Tolerances.FLOAT64_REL * block);
        }
    }

    private void warpOps() {
        int n = 64 * 6;
        int warps = n / 32;
        float[] x = randomFloats(n);
        // Give the votes every case: warp 1 all positive, warp 2 all negative, the rest mixed.
        for (int i = 32; i < 64; i++) {
            x[i] = Math.abs(x[i]) + 0.01f;
        }
        for (int i = 64; i < 96; i++) {
            x[i] = -Math.abs(x[i]) - 0.01f;
        }
        DevicePtr xp = upload(x);
        DevicePtr xorSum = poisoned(4L * n);
        DevicePtr downSum = poisoned(8L * warps);
        DevicePtr upScan = poisoned(4L * n);
        DevicePtr bcast = poisoned(4L * n);
        DevicePtr bcast8 = poisoned(4L * n);
        DevicePtr ballot = poisoned(4L * warps);
        DevicePtr votes = poisoned(4L * warps);
        DevicePtr reduce = poisoned(4L * 3 * warps);
        device.launch("selftest_warp_ops", Dim3.of(n / 64), Dim3.of(64), 0, KernelArgs.of().ptr(xp).ptr(xorSum)
                .ptr(downSum).ptr(upScan).ptr(bcast).ptr(bcast8).ptr(ballot).ptr(votes).ptr(reduce).i32(n));
        float[] gotXor = new float[n];
        double[] gotDown = new double[warps];
        int[] gotScan = new int[n];
        float[] gotBcast = new float[n];
        float[] gotBcast8 = new float[n];
        int[] gotBallot = new int[warps];
        int[] gotVotes = new int[warps];
        int[] gotReduce = new int[3 * warps];
        device.copyToHost(gotXor, 0, xorSum, n);
        device.copyToHost(gotDown, 0, downSum, warps);
        device.copyToHost(gotScan, 0, upScan, n);
        device.copyToHost(gotBcast, 0, bcast, n);
        device.copyToHost(gotBcast8, 0, bcast8, n);
        device.copyToHost(gotBallot, 0, ballot, warps);
        device.copyToHost(gotVotes, 0, votes, warps);
        device.copyToHost(gotReduce, 0, reduce, 3 * warps);
        for (int w = 0; w < warps; w++) {
            double sum = 0;
            int ballotBits = 0;
            boolean allGt = true;
            boolean any = false;
            boolean all = true;
            int add = 0;
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            int scan = 0;
            for (int l = 0; l < 32; l++) {
                int i = 32 * w + l;
                sum += x[i];
                ballotBits |= (x[i] > 0 ? 1 : 0) << l;
                allGt &= x[i] > -10f;
                any |= x[i] > 0;
                all &= x[i] > 0;
                int q = (int) (x[i] * 100.0f);
                add += q;
                min = Math.min(min, q);
                max = Math.max(max, q);
                scan += i % 7;
                v.equal("inclusive scan at " + i, scan, gotScan[i]);
                v.equal("broadcast of lane 3 at " + i, x[32 * w + 3], gotBcast[i]);
                v.equal("width-8 broadcast at " + i, x[(i & ~7) + 1], gotBcast8[i]);
            }
            for (int l = 0; l < 32; l++) {
                v.close("xor sum lane " + l, sum, gotXor[32 * w + l], Tolerances.FLOAT32_REL * 32);
            }
            v.close("down sum of warp " + w, sum, gotDown[w], Tolerances.FLOAT64_REL * 32);
            v.equal("ballot of warp " + w, ballotBits, gotBallot[w]);
            v.equal("votes of warp " + w, (allGt ? 1 : 0) | (any ? 2 : 0) | (all ? 4 : 0), gotVotes[w]);
            v.equal("reduce_add of warp " + w, add, gotReduce[3 * w]);
            v.equal("reduce_min of warp " + w, min, gotReduce[3 * w + 1]);
            v.equal("reduce_max of warp " + w, max, gotReduce[3 * w + 2]);
        }
        v.equal("votes of the all-positive warp", 7, gotVotes[1]);
        v.equal("votes of the all-negative warp", 1, gotVotes[2]);
    }

    private void atomics() {
        int n = 10_007;
        DevicePtr counters = device.alloc(4 * 5);
        device.copyToDevice(counters, new int[] {0, Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0}, 0, 5);
        DevicePtr u64 = device.alloc(8);
        DevicePtr f32 = device.alloc(4);
        DevicePtr f64 = device.alloc(8);
        device.memset(u64, 0, 8);
        device.memset(f32, 0, 4);
        device.memset(f64, 0, 8);
        device.launch("selftest_atomics", Dim3.of((n + 127) / 128), Dim3.of(128), 0,
                KernelArgs.of().ptr(counters).ptr(u64).ptr(f32).ptr(f64).i32(n));
        int[] c = new int[5];
        device.copyToHost(c, 0, counters, 5);
        long[] sum = new long[1];
        copyLongs(sum, u64);
        float[] fs = new float[1];
        double[] ds = new double[1];
        device.copyToHost(fs, 0, f32, 1);
        device.copyToHost(ds, 0, f64, 1);
        v.equal("atomicAdd(int) count", n, c[0]);
        v.equal("atomicMax over a permutation of 0..n-1", n - 1, c[1]);
        v.equal("atomicMin over a permutation of 0..n-1", 0, c[2]);
        v.isTrue("atomicCAS winner " + c[3] + " in range", c[3] >= 0 && c[3] < n);
        v.equal("exactly one atomicCAS winner", 1, c[4]);
        v.equal("atomicAdd(unsigned long long)", (long) n * (n - 1) / 2, sum[0]);
        v.equal("atomicAdd(float) of exact halves", 0.5f * n, fs[0]);
        v.equal("atomicAdd(double) of exact quarters", 0.25 * n, ds[0]);
    }

    private void barrierVotes() {
        int block = 96;
        float[] x = new float[4 * block];
        for (int i = 0; i < block; i++) {
            x[i] = 1;                       // block 0: all positive
            x[block + i] = -1;              // block 1: none
            x[2 * block + i] = i % 3 == 0 ? 1 : -1;  // block 2: a third
            x[3 * block + i] = i == 95 ? 1 : 0;      // block 3: one
        }
        DevicePtr xp = upload(x);
        DevicePtr out = poisoned(4 * 12);
        device.launch("selftest_barrier_votes", Dim3.of(4), Dim3.of(block), 0, KernelArgs.of().ptr(xp).ptr(out));
        int[] got = new int[12];
        device.copyToHost(got, 0, out, 12);
        v.same("counts, ands and ors of four blocks", new int[] {96, 1, 1, 0, 0, 0, 32, 0, 1, 1, 0, 1}, got);
    }

    /** The functions of selftest_math, in its order, as float64 references. */
    private static final DoubleUnaryOperator[] MATH_FUNCTIONS = {
        Math::exp, Math::exp, t -> Math.log(Math.abs(t) + 1e-3f), t -> Math.log(Math.abs(t) + 1e-3f),
        t -> Math.log1p(Math.abs(t)), t -> Math.sqrt(Math.abs(t)), t -> 1 / Math.sqrt(Math.abs(t) + 1e-3f),
        Math::tanh, t -> t * t + 1, t -> Math.max(t, 0), t -> Math.min(t, 0), Math::abs, t -> t / 3, t -> t,
        t -> 0, Math::exp, t -> Math.log(Math.abs(t) + 1e-3), t -> Math.log1p(Math.abs(t)),
        t -> Math.sqrt(Math.abs(t)),
    };

    private void math() {
        int n = 1000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * 4);
        }
        x[0] = 0;
        DevicePtr xp = upload(x);
        DevicePtr out = poisoned(4L * n * MATH_FUNCTIONS.length);
        device.launch("selftest_math", Dim3.of((n + 127) / 128), Dim3.of(128), 0,
                KernelArgs.of().ptr(xp).ptr(out).i32(n));
        float[] got = new float[n * MATH_FUNCTIONS.length];
        device.copyToHost(got, 0, out, got.length);
        for (int k = 0; k < MATH_FUNCTIONS.length; k++) {
            // Fast intrinsics (__expf, __logf, __fdividef: functions 1, 3, 12) are approximations on a GPU.
            double tolerance = (k == 1 || k == 3 || k == 12) ? Tolerances.DEVICE_FAST_MATH_REL
                    : Tolerances.FLOAT32_REL;
            double worst = 0;
            int worstAt = 0;
            for (int i = 0; i < n; i++) {
                double expected = MATH_FUNCTIONS[k].applyAsDouble(x[i]);
                double err = Math.abs(got[k * n + i] - expected) / Math.max(1, Math.abs(expected));
                if (Double.isNaN(err) || err > worst) {
                    worst = err;
                    worstAt = i;
                    if (Double.isNaN(err)) {
                        break;
                    }
                }
            }
            // Relative to max(1, |value|), up to and including the tolerance.
            v.atMost("function " + k + " (worst at x=" + x[worstAt] + ")", worst, tolerance);
        }
    }

    private void graphs() {
        int n = 1000;
        float[] x = randomFloats(n);
        DevicePtr xp = upload(x);
        DevicePtr y = device.alloc(4L * n);
        DevicePtr z = device.alloc(4L * n);
        device.memset(z, POISON, 4L * n);
        Device.Event start = device.createEvent();
        Device.Event end = device.createEvent();

        device.beginCapture();
        v.fails("a host copy during capture", DeviceException.class, () -> device.copyToHost(new float[n], 0, z, n));
        device.record(start);
        device.memset(y, 0, 4L * n);
        device.launch("selftest_axpy_f32", Dim3.of((n + 127) / 128), Dim3.of(128), 0,
                KernelArgs.of().ptr(y).ptr(xp).f32(2f).i32(n));
        device.copy(z, y, 4L * n);
        device.record(end);
        try (Device.Graph graph = device.endCapture()) {
            float[] got = new float[n];
            device.copyToHost(got, 0, z, n);
            v.isTrue("capture must not run the work", Float.isNaN(got[0]));

            for (int replay = 0; replay < 2; replay++) {
                float[] input = replay == 0 ? x : randomFloats(n);
                device.copyToDevice(xp, input, 0, n);
                device.replay(graph);
                device.copyToHost(got, 0, z, n);
                for (int i = 0; i < n; i++) {
                    v.equal("replay " + replay + " element " + i, 2 * input[i], got[i]);
                }
                v.isTrue("events recorded in the graph", device.elapsedMillis(start, end) >= 0);
            }
        }
    }

    private void events() {
        DevicePtr out = device.alloc(4L * 1024 * 64);
        Device.Event a = device.createEvent();
        Device.Event b = device.createEvent();
        device.record(a);
        device.launch("selftest_sync_loop", Dim3.of(64), Dim3.of(1024), 0, KernelArgs.of().ptr(out).i32(4).i32(8));
        device.record(b);
        device.synchronize();
        float ms = device.elapsedMillis(a, b);
        v.isTrue("elapsed " + ms + " ms is positive and finite", ms > 0 && ms < 60_000);
    }

    // ---- helpers

    private float[] randomFloats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (2 * random.nextDouble() - 1);
        }
        return x;
    }

    private DevicePtr upload(float[] x) {
        DevicePtr p = device.alloc(4L * x.length);
        device.copyToDevice(p, x, 0, x.length);
        return p;
    }

    private DevicePtr poisoned(long bytes) {
        DevicePtr p = device.alloc(bytes);
        device.memset(p, POISON, bytes);
        return p;
    }

    /** The interface has no long[] copies: read 64-bit values as pairs of ints (little-endian). */
    private void copyLongs(long[] dst, DevicePtr src) {
        int[] words = new int[2 * dst.length];
        device.copyToHost(words, 0, src, words.length);
        for (int k = 0; k < dst.length; k++) {
            dst[k] = (words[2 * k] & 0xFFFFFFFFL) | ((long) words[2 * k + 1] << 32);
        }
    }
}
