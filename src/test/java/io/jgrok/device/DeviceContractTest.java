package io.jgrok.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrok.Tolerances;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Device} must do, proven with the self-test kernels of src/main/cuda/selftest.cu on fresh random
 * inputs: memory and copies, memset poisoning, argument packing of every type, index built-ins, block reductions
 * through static and dynamic shared memory, warp shuffles/votes/reductions, atomics, barrier votes, math, graph
 * capture and replay, events, and the checks in front of native code. Run against the emulated device always
 * ({@link EmulatedDeviceContractTest}) and against a GPU when there is one ({@link CudaDeviceContractTest}).
 * Outputs are poisoned before each launch so that an element a kernel fails to write cannot pass.
 */
abstract class DeviceContractTest {
    private static final int POISON = 0xFF;

    protected Device device;
    private final Random random = new Random(20230113);

    /** Opens the device under test (or skips the test class). */
    protected abstract Device openDevice();

    @BeforeEach
    void open() {
        device = openDevice();
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void copiesRoundTripEveryTypeWithOffsets() {
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
        assertArrayEquals(f, f2);
        assertArrayEquals(i, i2);
        assertArrayEquals(d, d2);

        // Offsets on both sides: host elements 10..109 to device elements 200..299, and back into 5..104.
        device.copyToDevice(fp.floatAt(200), f, 10, 100);
        float[] back = new float[120];
        device.copyToHost(back, 5, fp.floatAt(200), 100);
        for (int k = 0; k < 100; k++) {
            assertEquals(f[10 + k], back[5 + k]);
        }
        assertEquals(0f, back[4]);

        // Device to device.
        DevicePtr fq = device.alloc(4L * f.length);
        device.copy(fq, fp, 4L * f.length);
        float[] f3 = new float[f.length];
        device.copyToHost(f3, 0, fq, f.length);
        device.copyToHost(f2, 0, fp, f.length);
        assertArrayEquals(f2, f3);
    }

    @Test
    void memsetWritesAnyByteValue() {
        DevicePtr p = device.alloc(4096);
        int[] words = new int[1024];
        for (int value : new int[] {0, 0xFF, 0x7F, 0xA5, -1, 1}) {
            device.memset(p, value, 4096);
            device.copyToHost(words, 0, p, 1024);
            int b = value & 0xFF;
            int expected = b | b << 8 | b << 16 | b << 24;
            for (int w : words) {
                assertEquals(expected, w, "memset " + value);
            }
        }
        // A partial memset leaves the rest alone.
        device.memset(p, 0, 4096);
        device.memset(p.plus(100), POISON, 8);
        byte[] expectedBytes = new byte[4096];
        java.util.Arrays.fill(expectedBytes, 100, 108, (byte) 0xFF);
        device.copyToHost(words, 0, p, 1024);
        for (int k = 0; k < 1024; k++) {
            int e = (expectedBytes[4 * k] & 0xFF) | (expectedBytes[4 * k + 1] & 0xFF) << 8
                    | (expectedBytes[4 * k + 2] & 0xFF) << 16 | (expectedBytes[4 * k + 3] & 0xFF) << 24;
            assertEquals(e, words[k], "word " + k);
        }
        // 0xFF as float is NaN: the poison every kernel test uses.
        float[] floats = new float[4];
        device.memset(p, POISON, 16);
        device.copyToHost(floats, 0, p, 4);
        assertTrue(Float.isNaN(floats[0]));
    }

    @Test
    void argumentsOfEveryTypeArriveIntact() {
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
        assertEquals(a, ints[0]);
        assertEquals(c, ints[1]);
        assertEquals(f, ints[2]);
        assertEquals(d, longs[0]);
        assertEquals(target.address(), longs[1]);
        assertEquals(e, floats[0]);
        assertEquals(g, floats[1]);
        assertEquals(b, doubles[0]);
    }

    @Test
    void launchesAreCheckedAgainstTheKernelSignature() {
        DevicePtr out = device.alloc(64);
        DeviceException wrongType = assertThrows(DeviceException.class, () -> device.launch("selftest_fill_f32",
                Dim3.of(1), Dim3.of(32), 0, KernelArgs.of().ptr(out).i32(1).i32(16)));
        assertEquals("kernel selftest_fill_f32(ptr, f32, i32) was launched with (ptr, i32, i32)",
                wrongType.getMessage());
        assertThrows(DeviceException.class, () -> device.launch("selftest_fill_f32", Dim3.of(1), Dim3.of(32), 0,
                KernelArgs.of().ptr(out).f32(1)));
        assertThrows(DeviceException.class, () -> device.launch("no_such_kernel", Dim3.of(1), Dim3.of(32), 0,
                KernelArgs.of()));
        assertThrows(DeviceException.class, () -> device.launch("selftest_fill_f32", Dim3.of(1), Dim3.of(2048), 0,
                KernelArgs.of().ptr(out).f32(1).i32(16)));
        assertTrue(device.hasKernel("selftest_fill_f32"));
        assertFalse(device.hasKernel("no_such_kernel"));
        assertTrue(device.kernelNames().containsAll(java.util.List.of("selftest_echo_args", "selftest_warp_ops",
                "fault_missing_barrier")));
        assertEquals("selftest_fill_f32(ptr, f32, i32)", device.signature("selftest_fill_f32").toString());
    }

    @Test
    void pointersAreCheckedAgainstLiveAllocations() {
        DevicePtr p = device.alloc(400);
        float[] host = new float[101];
        assertThrows(DeviceException.class, () -> device.copyToDevice(p, host, 0, 101));
        assertThrows(DeviceException.class, () -> device.copyToHost(host, 0, p.floatAt(50), 51));
        assertThrows(IndexOutOfBoundsException.class, () -> device.copyToHost(host, 50, p, 60));
        DevicePtr q = device.alloc(400);
        device.free(q);
        assertThrows(DeviceException.class, () -> device.free(q));
        assertThrows(DeviceException.class, () -> device.memset(q, 0, 4));
        assertThrows(DeviceException.class, () -> device.launch("selftest_fill_f32", Dim3.of(1), Dim3.of(32), 0,
                KernelArgs.of().ptr(q).f32(1).i32(16)));
        // A DevicePtr that claims more bytes than its allocation has is caught by the allocation table.
        assertThrows(DeviceException.class, () -> device.memset(new DevicePtr(p.address(), 800), 0, 800));
    }

    @Test
    void indexBuiltinsCoverA3dLaunch() {
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
                                for (int j = 0; j < 12; j++) {
                                    assertEquals(expected[j], got[12 * k + j], "thread " + k + " field " + j);
                                }
                                k++;
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void blockReductionThroughStaticSharedMemory() {
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
        assertTrue(Tolerances.relativeError(got, expected, 1.0) < Tolerances.FLOAT32_REL,
                "relative error " + Tolerances.relativeError(got, expected, 1.0));
    }

    @Test
    void blockReductionThroughDynamicSharedMemory() {
        int block = 128;
        int n = block * 20 - 5;
        int blocks = (n + block - 1) / block;
        double[] x = random.doubles(n).map(v -> 2 * v - 1).toArray();
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
            assertEquals(expected, got[b], Tolerances.FLOAT64_REL * block, "block " + b);
        }
    }

    @Test
    void warpShufflesVotesAndReductions() {
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
                assertEquals(scan, gotScan[i], "inclusive scan at " + i);
                assertEquals(x[32 * w + 3], gotBcast[i], "broadcast of lane 3 at " + i);
                assertEquals(x[(i & ~7) + 1], gotBcast8[i], "width-8 broadcast at " + i);
            }
            for (int l = 0; l < 32; l++) {
                assertEquals(sum, gotXor[32 * w + l], Tolerances.FLOAT32_REL * 32, "xor sum lane " + l);
            }
            assertEquals(sum, gotDown[w], Tolerances.FLOAT64_REL * 32, "down sum of warp " + w);
            assertEquals(ballotBits, gotBallot[w], "ballot of warp " + w);
            assertEquals((allGt ? 1 : 0) | (any ? 2 : 0) | (all ? 4 : 0), gotVotes[w], "votes of warp " + w);
            assertEquals(add, gotReduce[3 * w], "reduce_add of warp " + w);
            assertEquals(min, gotReduce[3 * w + 1], "reduce_min of warp " + w);
            assertEquals(max, gotReduce[3 * w + 2], "reduce_max of warp " + w);
        }
        assertEquals(7, gotVotes[1]);
        assertEquals(1, gotVotes[2]);
    }

    @Test
    void atomicsFromEveryThreadOfTheGrid() {
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
        assertEquals(n, c[0], "atomicAdd(int) count");
        assertEquals(n - 1, c[1], "atomicMax over a permutation of 0..n-1");
        assertEquals(0, c[2], "atomicMin over a permutation of 0..n-1");
        assertTrue(c[3] >= 0 && c[3] < n, "atomicCAS winner " + c[3]);
        assertEquals(1, c[4], "exactly one atomicCAS winner");
        assertEquals((long) n * (n - 1) / 2, sum[0], "atomicAdd(unsigned long long)");
        assertEquals(0.5f * n, fs[0], "atomicAdd(float) of exact halves");
        assertEquals(0.25 * n, ds[0], "atomicAdd(double) of exact quarters");
    }

    @Test
    void barrierVotesCountAndCombinePredicates() {
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
        assertArrayEquals(new int[] {96, 1, 1, 0, 0, 0, 32, 0, 1, 1, 0, 1}, got);
    }

    /** The functions of selftest_math, in its order, as float64 references. */
    private static final DoubleUnaryOperator[] MATH_FUNCTIONS = {
        Math::exp, Math::exp, v -> Math.log(Math.abs(v) + 1e-3f), v -> Math.log(Math.abs(v) + 1e-3f),
        v -> Math.log1p(Math.abs(v)), v -> Math.sqrt(Math.abs(v)), v -> 1 / Math.sqrt(Math.abs(v) + 1e-3f),
        Math::tanh, v -> v * v + 1, v -> Math.max(v, 0), v -> Math.min(v, 0), Math::abs, v -> v / 3, v -> v,
        v -> 0, Math::exp, v -> Math.log(Math.abs(v) + 1e-3), v -> Math.log1p(Math.abs(v)),
        v -> Math.sqrt(Math.abs(v)),
    };

    @Test
    void mathFunctionsMatchFloat64References() {
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
            for (int i = 0; i < n; i++) {
                double expected = MATH_FUNCTIONS[k].applyAsDouble(x[i]);
                double actual = got[k * n + i];
                // Fast intrinsics (__expf, __logf, __fdividef: functions 1, 3, 12) are approximations on a GPU.
                double tolerance = (k == 1 || k == 3 || k == 12) ? Tolerances.DEVICE_FAST_MATH_REL
                        : Tolerances.FLOAT32_REL;
                assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)),
                        "function " + k + " at x=" + x[i]);
            }
        }
    }

    @Test
    void graphCaptureRecordsAndReplaysWithTheCapturedArguments() {
        int n = 1000;
        float[] x = randomFloats(n);
        DevicePtr xp = upload(x);
        DevicePtr y = device.alloc(4L * n);
        DevicePtr z = device.alloc(4L * n);
        device.memset(z, POISON, 4L * n);
        Device.Event start = device.createEvent();
        Device.Event end = device.createEvent();

        device.beginCapture();
        assertThrows(DeviceException.class, () -> device.copyToHost(new float[n], 0, z, n));
        device.record(start);
        device.memset(y, 0, 4L * n);
        device.launch("selftest_axpy_f32", Dim3.of((n + 127) / 128), Dim3.of(128), 0,
                KernelArgs.of().ptr(y).ptr(xp).f32(2f).i32(n));
        device.copy(z, y, 4L * n);
        device.record(end);
        try (Device.Graph graph = device.endCapture()) {
            float[] got = new float[n];
            device.copyToHost(got, 0, z, n);
            assertTrue(Float.isNaN(got[0]), "capture must not run the work");

            for (int replay = 0; replay < 2; replay++) {
                float[] input = replay == 0 ? x : randomFloats(n);
                device.copyToDevice(xp, input, 0, n);
                device.replay(graph);
                device.copyToHost(got, 0, z, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(2 * input[i], got[i], "replay " + replay + " element " + i);
                }
                assertTrue(device.elapsedMillis(start, end) >= 0);
            }
        }
    }

    @Test
    void eventsMeasureTheWorkBetweenThem() {
        DevicePtr out = device.alloc(4L * 1024 * 64);
        Device.Event a = device.createEvent();
        Device.Event b = device.createEvent();
        device.record(a);
        device.launch("selftest_sync_loop", Dim3.of(64), Dim3.of(1024), 0, KernelArgs.of().ptr(out).i32(4).i32(8));
        device.record(b);
        device.synchronize();
        float ms = device.elapsedMillis(a, b);
        assertTrue(ms > 0 && ms < 60_000, "elapsed " + ms + " ms");
    }

    // ---- helpers

    protected float[] randomFloats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (2 * random.nextDouble() - 1);
        }
        return x;
    }

    protected DevicePtr upload(float[] x) {
        DevicePtr p = device.alloc(4L * x.length);
        device.copyToDevice(p, x, 0, x.length);
        return p;
    }

    protected DevicePtr poisoned(long bytes) {
        DevicePtr p = device.alloc(bytes);
        device.memset(p, POISON, bytes);
        return p;
    }

    /** The interface has no long[] copies: read 64-bit values as pairs of ints (little-endian). */
    protected void copyLongs(long[] dst, DevicePtr src) {
        int[] words = new int[2 * dst.length];
        device.copyToHost(words, 0, src, words.length);
        for (int k = 0; k < dst.length; k++) {
            dst[k] = (words[2 * k] & 0xFFFFFFFFL) | ((long) words[2 * k + 1] << 32);
        }
    }
}
