package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the device engine promises beyond agreeing with the CPU engine, checked bit for bit: two runs from the same
 * state give the same weights and history; replaying captured graphs gives the bits of eager launches; a batch of
 * N models gives each model exactly what it gets alone; state() and setState() round-trip everything (parameters,
 * moments, step, Grokfast state), so a run stopped and resumed equals an uninterrupted one; and the batched forward
 * pass for the analysis gives each parameter set's logits.
 */
abstract class DeviceBatchTest {
    protected Device device;

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

    private static RunConfig config(GrokfastMode mode) {
        return TestConfigs.with(TestConfigs.small(17, 32, 4, 40), b -> {
            b.lr = 1e-2;
            b.warmupSteps = 2;
            b.grokfast = mode;
            b.grokfastWindow = 3;
            b.seed = 9;
        });
    }

    /** Runs epochs [first, first + count) of one engine in chunks of the given sizes; returns the history. */
    private static History run(DeviceEngine engine, long first, int... chunks) {
        History h = new History();
        long e = first;
        for (int c : chunks) {
            engine.runEpochs(e, c, h);
            e += c;
        }
        return h;
    }

    private static void assertSameState(TrainingState a, TrainingState b, String what) {
        assertArrayEquals(a.params(), b.params(), what + ": parameters");
        assertArrayEquals(a.adamM(), b.adamM(), what + ": exp_avg");
        assertArrayEquals(a.adamV(), b.adamV(), what + ": exp_avg_sq");
        assertEquals(a.step(), b.step(), what + ": step");
        assertEquals(a.grokfast().length, b.grokfast().length, what + ": Grokfast entries");
        for (int i = 0; i < a.grokfast().length; i++) {
            assertArrayEquals(a.grokfast()[i], b.grokfast()[i], what + ": Grokfast entry " + i);
        }
    }

    private static void assertSameHistory(History a, History b, String what) {
        assertEquals(a.size(), b.size(), what + ": rows");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.epoch(i), b.epoch(i));
            assertEquals(a.trainLoss(i), b.trainLoss(i), what + ": train loss " + i);
            assertEquals(a.trainAcc(i), b.trainAcc(i), what + ": train acc " + i);
            assertEquals(a.testLoss(i), b.testLoss(i), what + ": test loss " + i);
            assertEquals(a.testAcc(i), b.testAcc(i), what + ": test acc " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(GrokfastMode.class)
    void twoRunsAreBitIdenticalAndGraphsEqualEagerLaunches(GrokfastMode mode) {
        RunConfig c = config(mode);
        Split split = Split.of(c);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(c));
        TrainingState[] end = new TrainingState[3];
        History[] hist = new History[3];
        for (int k = 0; k < 3; k++) {
            try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
                e.useGraphs(k < 2);  // runs 0 and 1: graph replays; run 2: every epoch launched eagerly
                e.setState(start);
                hist[k] = run(e, 0, 3, 4);
                end[k] = e.state();
            }
        }
        assertSameState(end[0], end[1], "second run");
        assertSameHistory(hist[0], hist[1], "second run");
        assertSameState(end[0], end[2], "eager launches");
        assertSameHistory(hist[0], hist[2], "eager launches");
        assertTrue(end[0].params()[5] != start.params()[5], "training moved the weights");
    }

    @ParameterizedTest
    @EnumSource(GrokfastMode.class)
    void stateRoundTripsAndAResumedRunEqualsAnUninterruptedOne(GrokfastMode mode) {
        RunConfig c = config(mode);
        Split split = Split.of(c);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(c));
        TrainingState whole;
        History wholeHistory;
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(start);
            wholeHistory = run(e, 0, 7);
            whole = e.state();
        }
        TrainingState half;
        History resumed;
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(start);
            resumed = run(e, 0, 4);
            half = e.state();
        }
        // The state of the CPU engine after the same epochs has the same shape (Grokfast entries, step).
        try (CpuEngine cpu = new CpuEngine(c, split)) {
            cpu.setState(start);
            cpu.runEpochs(0, 4, new History());
            assertEquals(cpu.state().step(), half.step());
            assertEquals(cpu.state().grokfast().length, half.grokfast().length);
        }
        try (DeviceEngine e = new DeviceEngine(c, split, device, false, null)) {
            e.setState(half);
            assertSameState(half, e.state(), "state() right after setState()");
            History rest = run(e, 4, 3);
            for (int i = 0; i < rest.size(); i++) {
                resumed.accept(rest.epoch(i), rest.trainLoss(i), rest.trainAcc(i), rest.testLoss(i),
                        rest.testAcc(i));
            }
            assertSameState(whole, e.state(), "resumed after 4 of 7 epochs");
        }
        assertSameHistory(wholeHistory, resumed, "resumed history");
    }

    @Test
    void aBatchOfThreeModelsGivesEachModelItsOwnRun() {
        RunConfig base = config(GrokfastMode.EMA);
        List<RunConfig> configs = List.of(
                base,
                TestConfigs.with(base, b -> {
                    b.seed = 21;
                    b.lr = 3e-3;
                    b.weightDecay = 0.3;
                    b.dataSeed = 4;
                    b.grokfastAlpha = 0.8;
                    b.evalEvery = 2;
                }),
                TestConfigs.with(base, b -> {
                    b.seed = 33;
                    b.trainMlpBiases = false;
                    b.warmupSteps = 0;
                    b.grokfastLambda = 0.5;
                    b.dataSeed = 7;
                }));
        List<Split> splits = new ArrayList<>();
        List<TrainingState> starts = new ArrayList<>();
        for (RunConfig c : configs) {
            splits.add(Split.of(c));
            starts.add(TrainingState.fresh(Initializer.initialParameters(c)));
        }
        long[] firstEpochs = {0, 0, 0};
        List<History> batchHistories = List.of(new History(), new History(), new History());
        TrainingState[] batchEnd = new TrainingState[3];
        try (DeviceBatch batch = new DeviceBatch(device, configs, splits, false)) {
            for (int z = 0; z < 3; z++) {
                batch.setState(z, starts.get(z));
            }
            batch.runEpochs(firstEpochs, 3, (z, e, trL, trA, teL, teA) -> batchHistories.get(z).accept(e, trL,
                    trA, teL, teA));
            firstEpochs = new long[] {3, 3, 3};
            batch.runEpochs(firstEpochs, 3, (z, e, trL, trA, teL, teA) -> batchHistories.get(z).accept(e, trL,
                    trA, teL, teA));
            for (int z = 0; z < 3; z++) {
                batchEnd[z] = batch.state(z);
            }
        }
        for (int z = 0; z < 3; z++) {
            try (DeviceEngine alone = new DeviceEngine(configs.get(z), splits.get(z), device, false, null)) {
                alone.setState(starts.get(z));
                History h = run(alone, 0, 3, 3);
                assertSameState(alone.state(), batchEnd[z], "model " + z + " of the batch");
                assertSameHistory(h, batchHistories.get(z), "model " + z + " of the batch");
            }
        }
        assertTrue(Double.isNaN(batchHistories.get(1).testLoss(1)), "model 1 evaluates every 2nd epoch only");
    }

    @Test
    void modelsOfOneBatchMustShareShapeAndTiming() {
        RunConfig a = config(GrokfastMode.NONE);
        RunConfig b = TestConfigs.with(a, x -> x.testTiming = TestTiming.AFTER_STEP);
        RunConfig c = TestConfigs.with(a, x -> x.dMlp = 48);
        assertThrows(IllegalArgumentException.class, () -> new DeviceBatch(device, List.of(a, b),
                List.of(Split.of(a), Split.of(b)), false));
        assertThrows(IllegalArgumentException.class, () -> new DeviceBatch(device, List.of(a, c),
                List.of(Split.of(a), Split.of(c)), false));
    }

    @Test
    void batchedForwardGivesEachParameterSetsLogits() {
        RunConfig c = TestConfigs.small(19, 32, 4, 40);
        ParamLayout layout = new ParamLayout(c);
        Random rnd = new Random(77);
        float[][] params = new float[3][];
        for (int z = 0; z < 3; z++) {
            params[z] = RandomWeights.floats(layout, rnd, 0.7);
        }
        int[] all = new int[c.p() * c.p()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[] batched = DeviceForward.logits(device, c, params, all);
        int per = all.length * c.nOutputs();
        assertEquals(3 * per, batched.length);
        try (CpuEngine cpu = new CpuEngine(c, Split.of(c))) {
            for (int z = 0; z < 3; z++) {
                float[] expected = cpu.logits(params[z], all);
                float[] got = Arrays.copyOfRange(batched, z * per, (z + 1) * per);
                double err = relativeError(got, expected, FLOAT32_ABS_FLOOR);
                assertTrue(err < FLOAT32_REL, "model " + z + " logits vs CPU engine: " + err);
            }
        }
        // Device-resident parameters and a device-resident result give the same bits.
        DevicePtr onDevice = device.alloc(4L * 3 * layout.size());
        DevicePtr dense = device.alloc(4L * 3 * per);
        try (DeviceForward f = DeviceForward.open(device, c, 3, all)) {
            for (int z = 0; z < 3; z++) {
                device.copyToDevice(onDevice.floatAt((long) z * layout.size()), params[z], 0, layout.size());
            }
            device.memset(dense, 0xFF, dense.bytes());
            f.run(onDevice);
            f.copyLogitsTo(dense);
            float[] back = new float[3 * per];
            device.copyToHost(back, 0, dense, back.length);
            assertArrayEquals(batched, back);
            assertArrayEquals(batched, f.logits());
        } finally {
            device.free(onDevice);
            device.free(dense);
        }
    }
}
