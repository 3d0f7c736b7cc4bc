package io.jgrok.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only the emulated device promises: poisoned memory, shared memory that starts poisoned in every block, and a
 * one-line error naming kernel, block, threads and source lines for each misuse of barriers and warp collectives
 * (the kernels of selftest_faults.cu), after which the device is still usable. A GPU would hang or compute garbage
 * on these kernels, so there is no GPU twin: the point is to catch them before they reach one.
 */
class EmulatedDeviceTest {
    private static EmulatedDevice device;

    @BeforeAll
    static void open() {
        device = EmulatedDevice.open(2);
    }

    @AfterAll
    static void close() {
        device.close();
    }

    @Test
    void describesItselfAndListsTheKernelLibrary() {
        assertTrue(device.description().startsWith("emulated device (fibers on 2 host threads)"),
                device.description());
    }

    @Test
    void freshAllocationsArePoisoned() {
        DevicePtr p = device.alloc(4000);
        float[] f = new float[1000];
        device.copyToHost(f, 0, p, 1000);
        for (float v : f) {
            assertTrue(Float.isNaN(v));
        }
        device.free(p);
    }

    @Test
    void sharedMemoryStartsPoisonedInEveryBlock() {
        int blocks = 64;
        int threads = 64;
        DevicePtr staticOut = device.alloc(4L * blocks * threads);
        DevicePtr dynamicOut = device.alloc(4L * blocks * threads);
        device.memset(staticOut, 0, 4L * blocks * threads);
        device.memset(dynamicOut, 0, 4L * blocks * threads);
        // Each block writes its index into both arrays after reading them, so a block that ran after another on
        // the same host thread would read that index if the memory were not poisoned again in between.
        device.launch("selftest_shared_poison", Dim3.of(blocks), Dim3.of(threads), 4 * threads,
                KernelArgs.of().ptr(staticOut).ptr(dynamicOut));
        int[] s = new int[blocks * threads];
        int[] d = new int[blocks * threads];
        device.copyToHost(s, 0, staticOut, s.length);
        device.copyToHost(d, 0, dynamicOut, d.length);
        for (int i = 0; i < s.length; i++) {
            assertEquals(-1, s[i], "static __shared__ read at " + i);
            assertEquals(-1, d[i], "dynamic shared read at " + i);
        }
    }

    @Test
    void barrierAfterAnEarlyReturnIsReported() {
        String message = fault("fault_barrier_after_return", 1, 128);
        assertTrue(message.contains("__syncthreads at " + FaultSource.site("after-return") + " can never complete")
                || message.contains("barrier can never complete"), message);
        assertTrue(message.contains("returned"), message);
    }

    @Test
    void divergentBarriersAreReportedWithBothLines() {
        String message = fault("fault_divergent_barrier", 1, 128);
        assertTrue(message.contains("divergent barrier"), message);
        assertTrue(message.contains("threads 0-63 wait at __syncthreads " + FaultSource.site("divergent-first")),
                message);
        assertTrue(message.contains("threads 64-127 wait at __syncthreads " + FaultSource.site("divergent-second")),
                message);
    }

    @Test
    void shuffleWithAnExitedLaneIsReported() {
        String message = fault("fault_shuffle_exited_lane", 1, 64);
        assertTrue(message.contains("__shfl_xor_sync(mask 0xffffffff) at " + FaultSource.site("exited-lane")),
                message);
        assertTrue(message.contains("returned"), message);
    }

    @Test
    void collectiveDeadlockIsReportedInsteadOfHanging() {
        String message = fault("fault_collective_deadlock", 1, 128);
        assertTrue(message.contains("deadlock: threads 0-15 wait in __shfl_xor_sync(mask 0xffffffff) at "
                + FaultSource.site("deadlock-shuffle") + "; threads 16-127 wait at __syncthreads "
                + FaultSource.site("deadlock-barrier")), message);
    }

    @Test
    void fullMaskShuffleInAPartialWarpIsReported() {
        // Blocks of 48 threads: the second warp has 16 lanes, so a full-mask shuffle names lanes that do not exist.
        int n = 96;
        DevicePtr x = device.alloc(4L * n);
        device.memset(x, 0, 4L * n);
        DevicePtr[] outs = new DevicePtr[8];
        for (int k = 0; k < outs.length; k++) {
            outs[k] = device.alloc(8L * n);
        }
        DeviceException e = assertThrows(DeviceException.class, () -> device.launch("selftest_warp_ops",
                Dim3.of(2), Dim3.of(48), 0, KernelArgs.of().ptr(x).ptr(outs[0]).ptr(outs[1]).ptr(outs[2])
                        .ptr(outs[3]).ptr(outs[4]).ptr(outs[5]).ptr(outs[6]).ptr(outs[7]).i32(n)));
        assertTrue(e.getMessage().contains("naming lanes 0xffff0000 that this block does not have"), e.getMessage());
    }

    @Test
    void trapNamesBlockThreadAndLine() {
        String message = fault("fault_trap", 4, 32);
        assertEquals("kernel fault_trap block (1,0,0): thread 7 called __trap() at " + FaultSource.site("trap"),
                message);
    }

    @Test
    void aMissingBarrierShowsUpAsPoisonedReads() {
        // Fibers run in a fresh random order between barriers, so without the barrier some threads read their
        // neighbour's slot before the neighbour wrote it: the poison (NaN). With the barrier every read is right.
        int n = 256;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        DevicePtr xp = device.alloc(4L * n);
        device.copyToDevice(xp, x, 0, n);
        DevicePtr out = device.alloc(4L * n);
        float[] got = new float[n];

        device.launch("fault_missing_barrier_fixed", Dim3.of(1), Dim3.of(n), 0, KernelArgs.of().ptr(xp).ptr(out));
        device.copyToHost(got, 0, out, n);
        for (int i = 0; i < n; i++) {
            assertEquals((i + 1) % n, got[i], "with the barrier, element " + i);
        }

        device.launch("fault_missing_barrier", Dim3.of(1), Dim3.of(n), 0, KernelArgs.of().ptr(xp).ptr(out));
        device.copyToHost(got, 0, out, n);
        int poisoned = 0;
        for (float v : got) {
            poisoned += Float.isNaN(v) ? 1 : 0;
        }
        assertTrue(poisoned > n / 8, "only " + poisoned + " of " + n + " reads saw the missing barrier");
    }

    @Test
    void theDeviceStaysUsableAfterAFault() {
        fault("fault_divergent_barrier", 2, 64);
        DevicePtr out = device.alloc(4 * 64);
        device.launch("selftest_fill_f32", Dim3.of(1), Dim3.of(64), 0, KernelArgs.of().ptr(out).f32(3f).i32(64));
        float[] got = new float[64];
        device.copyToHost(got, 0, out, 64);
        for (float v : got) {
            assertEquals(3f, v);
        }
    }

    @Test
    void replayChecksCapturedPointersAgain() {
        DevicePtr out = device.alloc(4 * 64);
        device.beginCapture();
        device.launch("selftest_fill_f32", Dim3.of(1), Dim3.of(64), 0, KernelArgs.of().ptr(out).f32(1f).i32(64));
        try (Device.Graph graph = device.endCapture()) {
            device.replay(graph);
            device.free(out);
            DeviceException e = assertThrows(DeviceException.class, () -> device.replay(graph));
            assertTrue(e.getMessage().contains("kernel selftest_fill_f32 argument 0"), e.getMessage());
        }
    }

    @Test
    void closedDeviceRefusesWork() {
        EmulatedDevice other = EmulatedDevice.open(1);
        other.close();
        other.close();
        assertThrows(DeviceException.class, () -> other.alloc(16));
        assertFalse(other.description().isEmpty());
    }

    /** Launches a misusing kernel, expects a one-line DeviceException naming it, returns the message. */
    private static String fault(String kernel, int blocks, int threads) {
        DevicePtr out = device.alloc(4L * blocks * threads);
        try {
            DeviceException e = assertThrows(DeviceException.class, () -> device.launch(kernel, Dim3.of(blocks),
                    Dim3.of(threads), 0, KernelArgs.of().ptr(out)));
            String message = e.getMessage();
            assertTrue(message.startsWith("kernel " + kernel + " block ("), message);
            assertFalse(message.contains("\n"), "one line: " + message);
            return message;
        } finally {
            device.free(out);
        }
    }
}
